import type { DispatchedJob } from './dispatchLease.js';
import { type Db, type LeaseRow, claimableConsumers, consumerColumns, leaseColumns, raw, selectAndAnnounce } from './fragments.js';

export interface ClaimRow extends LeaseRow {
  slotOpened: boolean;
}

/**
 * How a claim treats consumer rows that other statements hold locked (a claim or a completion in
 * flight): `skip` them, so concurrent claims spread over different consumers; or `wait` for them and
 * look again — the second try of a claim that skipped everything, since a locked consumer with
 * capacity > 1 may still have a free slot once the other statement commits.
 */
export type LockedRows = 'skip' | 'wait';

/**
 * The claim, in one statement: lock the longest-idle claimable consumer, take one of its slots, and
 * record the lease. Concurrent claims, on any number of replicas, never get the same slot. Returns
 * nothing when no consumer is claimable. With `job`, the lease is recorded DISPATCHED with the job
 * on it (as markLeaseDispatched would, without a second round trip) and its processing deadline.
 */
export async function claimFreeConsumer(
  db: Db,
  claim: { leaseId: string; pool: string; labels: string[]; ttlMs: number; job?: DispatchedJob | undefined },
  lockedRows: LockedRows,
): Promise<ClaimRow | undefined> {
  const { job } = claim;
  const [row] = await db.$queryRaw<ClaimRow[]>`
    WITH picked AS (
      ${claimableConsumers(claim.pool, claim.labels)}
      LIMIT 1
      ${raw(lockedRows === 'skip' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE')}
    ), claimed AS (
      UPDATE consumers c SET in_flight = c.in_flight + 1, free_since = now(), updated_at = now()
      FROM picked WHERE c.id = picked.id
      RETURNING c.*
    ), lease AS (
      INSERT INTO leases (id, consumer_id, pool, labels, state, attempt, consumer_epoch, claimed_at, expires_at,
                          topic, message_key, message_value, message_headers, dispatched_at)
      SELECT ${claim.leaseId}::uuid, claimed.id, claimed.pool, ${claim.labels}::text[],
             ${job ? 'DISPATCHED' : 'CLAIMED'}::"LeaseState", 1, claimed.epoch, now(),
             now() + ${job ? job.processingTtlMs : claim.ttlMs} * interval '1 millisecond',
             ${raw(job ? 'claimed.topic' : 'NULL')}, ${job?.key ?? null}::text, ${job?.value ?? null}::text,
             ${job ? JSON.stringify(job.headers) : null}::jsonb, ${raw(job ? 'now()' : 'NULL')}
      FROM claimed
      RETURNING *
    ), changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed, ${leaseColumns('lease')}
      FROM claimed JOIN lease ON lease.consumer_id = claimed.id
    )
    ${selectAndAnnounce()}`;
  return row;
}
