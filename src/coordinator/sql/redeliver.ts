// A job whose lease ended EXPIRED or FAILED is sent again, with attempt + 1, to another free consumer;
// after maxAttempts it goes to its pool's dead-letter topic instead. Each step is one statement that
// takes its job with SKIP LOCKED, so replicas sweeping at once never handle the same job twice.
import { type Db, type LeaseRow, announceChanged, consumerColumns, isAvailableSql, leaseColumns, sql } from './fragments.js';
import { endLeases } from './endLeases.js';

/** Ended with a job on it, and no next attempt yet. */
const waitingForNextAttempt = sql`l.state IN ('EXPIRED', 'FAILED') AND l.message_value IS NOT NULL AND l.next_lease_id IS NULL`;

export interface JobPayload {
  messageKey: string | null;
  messageValue: string;
  messageHeaders: Record<string, string> | null;
}

export type RedeliveryRow = LeaseRow & JobPayload;

/** Pools with jobs waiting for their next attempt. */
export async function poolsWithJobsToRedeliver(db: Db): Promise<string[]> {
  const rows = await db.$queryRaw<{ pool: string }[]>`SELECT DISTINCT l.pool FROM leases l WHERE ${waitingForNextAttempt}`;
  return rows.map((row) => row.pool);
}

/**
 * Takes the longest-waiting job of `pool` that has attempts left and a free consumer carrying its
 * labels, and gives it a new DISPATCHED lease on that consumer (attempt + 1, the job copied).
 * Returns nothing when there is no such job or no such consumer.
 */
export async function takeRedelivery(
  db: Db,
  take: { pool: string; newLeaseId: string; processingTtlMs: number; maxAttempts: number },
): Promise<RedeliveryRow | undefined> {
  const [row] = await db.$queryRaw<RedeliveryRow[]>`
    WITH job AS (
      SELECT l.id, l.pool, l.labels, l.attempt, l.message_key, l.message_value, l.message_headers
      FROM leases l
      WHERE l.pool = ${take.pool} AND ${waitingForNextAttempt} AND l.attempt < ${take.maxAttempts}
      ORDER BY l.ended_at, l.id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT c.id FROM consumers c JOIN job ON c.pool = job.pool
      WHERE ${isAvailableSql('c')} AND c.labels @> job.labels
      ORDER BY c.free_since ASC NULLS LAST, c.id ASC
      LIMIT 1
      FOR UPDATE OF c SKIP LOCKED
    ), claimed AS (
      UPDATE consumers c SET in_flight = c.in_flight + 1, free_since = now(), updated_at = now()
      FROM picked WHERE c.id = picked.id
      RETURNING c.*
    ), lease AS (
      INSERT INTO leases (id, consumer_id, pool, labels, state, attempt, consumer_epoch, claimed_at, expires_at,
                          topic, message_key, message_value, message_headers, dispatched_at)
      SELECT ${take.newLeaseId}::uuid, claimed.id, job.pool, job.labels, 'DISPATCHED', job.attempt + 1, claimed.epoch, now(),
             now() + ${take.processingTtlMs} * interval '1 millisecond',
             claimed.topic, job.message_key, job.message_value, job.message_headers, now()
      FROM claimed, job
      RETURNING *
    ), linked AS (
      UPDATE leases SET next_lease_id = lease.id FROM lease, job WHERE leases.id = job.id RETURNING leases.id
    ), changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed FROM claimed
    )
    SELECT changed.*, ${leaseColumns('lease')}, lease.message_key AS "messageKey", lease.message_value AS "messageValue",
           lease.message_headers AS "messageHeaders", ${announceChanged()}
    FROM changed JOIN lease ON lease.consumer_id = changed.id`;
  return row;
}

/** The redelivery could not be produced: its lease ends, and the job waits for the next sweep again. */
export function abandonRedelivery(db: Db, leaseId: string, reason: string) {
  return endLeases(db, 'RELEASED', sql`l.id = ${leaseId}::uuid`, {
    reason: sql`${reason}`,
    alongside: sql`reopened AS (UPDATE leases SET next_lease_id = NULL WHERE next_lease_id = ${leaseId}::uuid RETURNING id),`,
  });
}

export interface DeadLetterRow extends JobPayload {
  id: string;
  pool: string;
  attempt: number;
  endReason: string | null;
  topic: string;
}

/** Takes one job of `pool` that used up its attempts and marks it DEAD_LETTERED; the caller then produces it to the DLQ. */
export async function takeDeadLetter(db: Db, pool: string, maxAttempts: number): Promise<DeadLetterRow | undefined> {
  const [row] = await db.$queryRaw<DeadLetterRow[]>`
    UPDATE leases SET state = 'DEAD_LETTERED'
    WHERE id = (
      SELECT l.id FROM leases l
      WHERE l.pool = ${pool} AND ${waitingForNextAttempt} AND l.attempt >= ${maxAttempts}
      ORDER BY l.ended_at, l.id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, pool, attempt, end_reason AS "endReason", topic, message_key AS "messageKey",
              message_value AS "messageValue", message_headers AS "messageHeaders"`;
  return row;
}

/** The dead-letter topic could not be written: the job waits for the next sweep again. */
export async function restoreDeadLetter(db: Db, leaseId: string): Promise<void> {
  await db.$executeRaw`UPDATE leases SET state = 'EXPIRED' WHERE id = ${leaseId}::uuid AND state = 'DEAD_LETTERED'`;
}
