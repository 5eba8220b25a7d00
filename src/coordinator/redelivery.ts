// A job whose lease ended EXPIRED or FAILED is sent again, with attempt + 1, to another free consumer;
// after maxAttempts it goes to its pool's dead-letter topic instead. Each job is taken by one
// statement (SKIP LOCKED, so replicas sweeping at once never take the same job), then produced; a
// failed produce gives the job back for the next sweep.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { jobRecordHeaders, recordHeaders } from '../protocol/headers.js';
import { type Database, type JobTransport, TransportUnavailableError } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { abandonRedelivery } from './sql/abandonRedelivery.js';
import { poolsWithJobsToRedeliver } from './sql/poolsWithJobsToRedeliver.js';
import { restoreDeadLetter } from './sql/restoreDeadLetter.js';
import { messageOf } from './sql/rows.js';
import { takeDeadLetter } from './sql/takeDeadLetter.js';
import { takeRedelivery } from './sql/takeRedelivery.js';

/**
 * Takes items one by one and produces each; when producing fails, gives the item back and stops
 * (the transport is likely down: the next sweep tries again; an error that is not the transport's
 * is thrown on). Returns how many were produced.
 */
async function drain<T>(
  take: () => Promise<T | undefined>,
  produce: (item: T) => Promise<unknown>,
  giveBack: (item: T, error: unknown) => Promise<void>,
): Promise<number> {
  let produced = 0;
  for (let item = await take(); item !== undefined; item = await take()) {
    try {
      await produce(item);
    } catch (error) {
      await giveBack(item, error);
      if (!(error instanceof TransportUnavailableError)) throw error;
      return produced;
    }
    produced += 1;
  }
  return produced;
}

export async function redeliverJobs(
  db: Database,
  transport: JobTransport,
  settings: CoordinatorSettings,
  log: Logger,
): Promise<{ redelivered: number; deadLettered: number }> {
  const { maxAttempts, processingTtlMs, topicPrefix } = settings;
  let redelivered = 0;
  let deadLettered = 0;
  for (const pool of await poolsWithJobsToRedeliver(db)) {
    const dlq = `${topicPrefix}.${pool}.dlq`;
    deadLettered += await drain(
      () => takeDeadLetter(db, pool, maxAttempts),
      async (dead) => {
        const job = messageOf(dead);
        await transport.produce(dlq, {
          ...job,
          headers: {
            ...jobRecordHeaders(job.headers, dead),
            [recordHeaders.deadLetterReason]: dead.endReason ?? 'unknown',
            [recordHeaders.originalTopic]: dead.topic,
          },
        });
        log.warn({ lease: dead.id, attempts: dead.attempt, reason: dead.endReason, topic: dlq }, 'job dead-lettered');
      },
      async (dead, error) => {
        await restoreDeadLetter(db, dead.id);
        log.error({ err: error, lease: dead.id }, 'could not write the dead-letter topic; will retry');
      },
    );
    redelivered += await drain(
      () => takeRedelivery(db, { pool, newLeaseId: randomUUID(), processingTtlMs, maxAttempts }),
      async (next) => {
        const job = messageOf(next);
        await transport.produce(next.topic, { ...job, headers: jobRecordHeaders(job.headers, { id: next.leaseId, attempt: next.attempt }) });
      },
      async (next, error) => {
        await abandonRedelivery(db, next.leaseId, `producing the redelivery failed: ${error instanceof Error ? error.message : String(error)}`);
        log.error({ err: error, lease: next.leaseId }, 'could not produce a redelivery; will retry');
      },
    );
  }
  return { redelivered, deadLettered };
}
