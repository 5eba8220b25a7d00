// Everything time decides, from the database alone, so a restarted replica picks up where any left
// off: silent consumers go OFFLINE, claims nobody dispatched expire, dispatched jobs whose consumer
// is OFFLINE or late expire, expired or failed jobs are sent again or dead-lettered, and history
// older than the retention is pruned. Every
// statement is conditional and takes rows with SKIP LOCKED, so every replica runs the sweep.
import type { Logger } from '../logger.js';
import type { Database, JobTransport, Observer, SweepReport } from './ports.js';
import { redeliverJobs } from './redelivery.js';
import type { CoordinatorSettings } from './settings.js';
import { expireClaims } from './sql/expireClaims.js';
import { expireJobs } from './sql/expireJobs.js';
import { markSilentConsumersOffline } from './sql/markSilentConsumersOffline.js';
import { pruneHistory } from './sql/pruneHistory.js';

/** Ended leases pruned per pass at most: a long backlog of history goes over several passes, none of them long. */
const pruneBatch = 1_000;

export async function sweep(
  db: Database,
  transport: JobTransport | undefined,
  settings: CoordinatorSettings,
  log: Logger,
  observer: Observer,
): Promise<SweepReport> {
  const offline = (await markSilentConsumersOffline(db, settings.heartbeatTtlMs)).length;
  const expiredClaims = (await expireClaims(db)).length;
  const expiredJobs = (await expireJobs(db)).length;
  const { redelivered, deadLettered } = transport ? await redeliverJobs(db, transport, settings, log) : { redelivered: 0, deadLettered: 0 };
  const pruned = (await pruneHistory(db, settings.historyRetentionMs, pruneBatch)).leases;
  const report = { offline, expiredClaims, expiredJobs, redelivered, deadLettered, pruned };
  observer.swept(report);
  return report;
}

/** Runs `pass` every `intervalMs`, one at a time; returns the function that stops it (after the pass in progress). */
export function startSweeper(pass: () => Promise<SweepReport>, after: () => void, intervalMs: number, log: Logger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    try {
      const report = await pass();
      if (Object.values(report).some((count) => count > 0)) log.info(report, 'sweep');
    } catch (error) {
      log.error({ err: error }, 'sweep failed; retrying on the next tick');
    }
    after();
  };
  const timer = setInterval(() => {
    running = running.then(tick);
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
