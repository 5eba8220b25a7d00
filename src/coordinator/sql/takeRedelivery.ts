import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import {
  announceChanged,
  claimOrder,
  consumerColumns,
  insertLease,
  isAvailableSql,
  jobColumns,
  leaseColumns,
  nextAttemptOrder,
  takeSlot,
  waitsForNextAttempt,
} from './fragments.js';
import type { JobPayload, LeaseRow } from './rows.js';

export type RedeliveryRow = LeaseRow & JobPayload;

/**
 * Takes the longest-waiting job of `pool` that has attempts left and a free consumer carrying its
 * labels, and gives it a new DISPATCHED lease on that consumer (attempt + 1, the job copied).
 * Returns nothing when there is no such job or no such consumer.
 */
export async function takeRedelivery(
  db: Database,
  take: { pool: string; newLeaseId: string; processingTtlMs: number; maxAttempts: number },
): Promise<RedeliveryRow | undefined> {
  const [row] = await db.query<RedeliveryRow>(sql`
    WITH job AS (
      SELECT l.id, l.pool, l.labels, l.attempt, l.message_key, l.message_value, l.message_headers
      FROM leases l
      WHERE l.pool = ${take.pool} AND ${waitsForNextAttempt} AND l.attempt < ${take.maxAttempts}
      ${nextAttemptOrder}
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT c.id FROM consumers c JOIN job ON c.pool = job.pool
      WHERE ${isAvailableSql('c')} AND c.labels @> job.labels
      ${claimOrder}
      LIMIT 1
      FOR UPDATE OF c SKIP LOCKED
    ), ${takeSlot}, ${insertLease({
      id: take.newLeaseId,
      labels: raw('job.labels'),
      state: 'DISPATCHED',
      attempt: raw('job.attempt + 1'),
      ttlMs: take.processingTtlMs,
      job: { key: raw('job.message_key'), value: raw('job.message_value'), headers: raw('job.message_headers') },
      from: raw(', job'),
    })}, linked AS (
      UPDATE leases SET next_lease_id = lease.id FROM lease, job WHERE leases.id = job.id RETURNING leases.id
    ), changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed FROM claimed
    )
    SELECT changed.*, ${leaseColumns('lease')}, ${jobColumns('lease')}, ${announceChanged()}
    FROM changed JOIN lease ON lease.consumer_id = changed.id`);
  return row;
}
