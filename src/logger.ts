// Structured logs (pino): JSON lines, or pretty lines in a terminal (HANDOFF_LOG_FORMAT). Every line
// written while an HTTP request is handled carries that request's id (see inRequest).
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from './config.js';

export type Logger = pino.Logger;

const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `handle` with `requestId` attached to every log line it causes, however deep. */
export function inRequest<T>(requestId: string, handle: () => T): T {
  return requestScope.run({ requestId }, handle);
}

/** The id of the HTTP request being handled, if any. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

/** Logs to stdout (JSON or pretty, as configured), or to `destination` (tests read what was logged). */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'handoff' },
    mixin: () => requestScope.getStore() ?? {},
  };
  if (destination) return pino(options, destination);
  return config.logFormat === 'pretty' ? pino(options, pretty({ colorize: true, ignore: 'pid,hostname,service' })) : pino(options);
}
