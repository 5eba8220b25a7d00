// Everything time decides, from the database alone, so a restarted replica picks up where any left
// off: silent consumers go OFFLINE (silent past the TTL plus how late any replica could have been to
// hear them: see lag.ts); claims nobody dispatched and jobs whose consumer is OFFLINE or
// late expire, and the slots they free take pending jobs (one transaction); jobs out of attempts go
// to the dead-letter topic; waiting jobs age; history past the retention is pruned; the producers
// that waited on a replica gone silent are cancelled. Every statement is conditional and takes rows
// with SKIP LOCKED, so every replica runs the sweep.
import type { Logger } from '../logger.js';
import { jobRecordHeaders, recordHeaders } from '../protocol/headers.js';
import type { Deliveries } from './deliveries.js';
import { fillSlots } from './filler.js';
import type { ReplicaLag } from './lag.js';
import { type Clock, type Database, type JobTransport, type Observer, type SweepReport, TransportUnavailableError } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import type { Consumer } from './types.js';
import { ageJobs } from './sql/ageJobs.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import { expireClaims } from './sql/expireClaims.js';
import { expireJobs } from './sql/expireJobs.js';
import { markSilentConsumersOffline } from './sql/markSilentConsumersOffline.js';
import { poolsWithFreeSlots } from './sql/poolsWithFreeSlots.js';
import { pruneHistory } from './sql/pruneHistory.js';
import { reapReplicas } from './sql/reapReplicas.js';
import { forgetGoneWatchers } from './sql/watch.js';
import { recountPending } from './sql/recountPending.js';
import { restoreDeadLetter } from './sql/restoreDeadLetter.js';
import { consumerFromRow, messageOf } from './sql/rows.js';
import { takeDeadLetter } from './sql/takeDeadLetter.js';
import { touchReplica } from './sql/touchReplica.js';

/** Rows a pass prunes or ages at most: a long history goes over several passes, none of them long. */
const batch = 1_000;
/** Pending counts are recounted every this many passes. */
const recountEvery = 10;

export interface SweepParts {
  db: Database;
  transport: JobTransport | undefined;
  settings: CoordinatorSettings;
  jobSettings: JobSettings;
  deliveries: Deliveries;
  replicaId: string;
  observer: Observer;
  log: Logger;
  lag: ReplicaLag;
  clock: Clock;
  /** Told of the consumers this pass judged OFFLINE, once the verdict committed. */
  judged?: (consumers: Consumer[]) => void;
}

export class Sweeper {
  private passes = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** When the last timed pass started (clock ms): a pass that starts later than one interval after it ran late. */
  private lastPassAt: number | undefined;
  /** Whether this replica's lag was over a fifth of the TTL at the last pass (logged when it changes). */
  private lagging = false;

  constructor(private readonly parts: SweepParts) {}

  /** One pass of everything time decides. */
  async sweep(): Promise<SweepReport> {
    const { db, settings, jobSettings, deliveries, replicaId, observer, lag, clock } = this.parts;
    const lagMs = lag.sample();
    const touchedAt = clock.now();
    const graceMs = await touchReplica(db, replicaId, lagMs, settings.sweepIntervalMs);
    lag.observe(clock.now() - touchedAt);
    this.reportLag(lagMs, graceMs);
    // The verdict and the end of the verdict's leases commit together: a consumer told it is OFFLINE
    // knows its jobs are gone, even if it shows life a moment later.
    const freed = await db.transaction(async (tx) => {
      const offline = (await markSilentConsumersOffline(tx, settings.heartbeatTtlMs, graceMs)).map(consumerFromRow);
      const expiredClaims = (await expireClaims(tx, jobSettings)).length;
      const expiredJobs = (await expireJobs(tx, jobSettings, graceMs)).length;
      const produce: AssignedJob[] = [];
      let assigned = 0;
      for (const pool of await poolsWithFreeSlots(tx)) {
        const filled = await fillSlots(tx, { pool }, jobSettings);
        produce.push(...filled.produce);
        assigned += filled.count;
      }
      return { offline, expiredClaims, expiredJobs, produce, assigned };
    });
    if (freed.offline.length > 0) this.parts.judged?.(freed.offline);
    deliveries.deliver(freed.produce);
    const deadLettered = await this.deadLetter();
    const aged = await ageJobs(db, settings.priorityAgeingMs, batch);
    const pruned = (await pruneHistory(db, settings.historyRetentionMs, batch)).leases;
    await reapReplicas(db, settings.replicaSilenceMs);
    await forgetGoneWatchers(db);
    if (this.passes++ % recountEvery === 0) await recountPending(db);
    const report: SweepReport = {
      offline: freed.offline.length,
      expiredClaims: freed.expiredClaims,
      expiredJobs: freed.expiredJobs,
      assigned: freed.assigned,
      redelivered: freed.produce.filter((job) => job.attempt > 1).length,
      deadLettered,
      aged,
      pruned,
    };
    observer.swept(report);
    return report;
  }

  /** Tells the observer how late this replica was and how long verdicts wait; logs when it starts and stops lagging. */
  private reportLag(lagMs: number, graceMs: number): void {
    const { observer, settings, log } = this.parts;
    observer.lagged?.(lagMs, graceMs);
    const lagging = lagMs > settings.heartbeatTtlMs / 5;
    if (lagging === this.lagging) return;
    this.lagging = lagging;
    if (lagging) log.warn({ lagMs, graceMs }, 'this replica is lagging: consumers are judged OFFLINE only after the TTL plus the lag');
    else log.info({ lagMs, graceMs }, 'this replica caught up');
  }

  /** Runs the sweep every `intervalMs`, one pass at a time. */
  start(intervalMs: number): void {
    if (this.timer) return;
    const { log } = this.parts;
    const tick = async () => {
      // A pass that starts late (the event loop was blocked, the process stopped, the last pass was
      // slow) is lag: heartbeats meant for this replica may have waited as long.
      const { clock, lag } = this.parts;
      const now = clock.now();
      if (this.lastPassAt !== undefined) lag.observe(now - this.lastPassAt - intervalMs);
      this.lastPassAt = now;
      try {
        const report = await this.sweep();
        if (Object.values(report).some((count) => count > 0)) log.info(report, 'sweep');
      } catch (error) {
        log.error({ err: error }, 'sweep failed; retrying on the next tick');
      }
    };
    this.timer = setInterval(() => {
      this.running = this.running.then(tick);
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer, after the pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Writes jobs out of attempts to their pool's dead-letter topic; stops at the first failure (the next pass retries). */
  private async deadLetter(): Promise<number> {
    const { db, transport, settings, log } = this.parts;
    if (!transport) return 0;
    let written = 0;
    for (let dead = await takeDeadLetter(db); dead; dead = await takeDeadLetter(db)) {
      const dlq = `${settings.topicPrefix}.${dead.pool}.dlq`;
      const message = messageOf(dead);
      try {
        await transport.produce(dlq, {
          ...message,
          headers: {
            ...jobRecordHeaders(message.headers, { id: dead.leaseId ?? dead.id, attempt: dead.attempts }),
            [recordHeaders.deadLetterReason]: dead.endReason ?? 'unknown',
            ...(dead.topic && { [recordHeaders.originalTopic]: dead.topic }),
          },
        });
      } catch (error) {
        await restoreDeadLetter(db, dead.id, dead.leaseId);
        if (!(error instanceof TransportUnavailableError)) throw error;
        log.error({ err: error, job: dead.id }, 'could not write the dead-letter topic; will retry');
        return written;
      }
      log.warn({ job: dead.id, attempts: dead.attempts, reason: dead.endReason, topic: dlq }, 'job dead-lettered');
      written += 1;
    }
    return written;
  }
}
