// Structured JSON logs (pino); pretty-printing is left to the terminal (`npm start | npx pino-pretty`).
import { pino } from 'pino';
import type { Config } from './config.js';

export type Logger = pino.Logger;

/** JSON lines to stdout, or to `destination` (tests read what was logged). */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  const options = { level: config.logLevel, base: { service: 'handoff' } };
  return destination ? pino(options, destination) : pino(options);
}
