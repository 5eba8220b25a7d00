import { raw, sql } from '../../sql/statement.js';
import type { Database, JobMessage } from '../ports.js';
import { claimableConsumers, consumerColumns, insertLease, leaseColumns, selectAndAnnounce, takeSlot } from './fragments.js';
import type { LeaseRow } from './rows.js';

/**
 * How a claim treats consumer rows that other statements hold locked (a claim or a completion in
 * flight): `skip` them, so concurrent claims spread over different consumers; or `wait` for them and
 * look again — the second try of a claim that skipped everything, since a locked consumer with
 * capacity > 1 may still have a free slot once the other statement commits.
 */
export type LockedRows = 'skip' | 'wait';

/** A job recorded on the lease by the claim itself, with the time its consumer has to complete it. */
export interface ClaimedJob extends JobMessage {
  processingTtlMs: number;
}

export interface Claim {
  leaseId: string;
  pool: string;
  labels: string[];
  ttlMs: number;
  job?: ClaimedJob | undefined;
}

/**
 * The claim, in one statement: lock the longest-idle claimable consumer, take one of its slots, and
 * record the lease. Concurrent claims, on any number of replicas, never get the same slot. Returns
 * nothing when no consumer is claimable. With `job`, the lease is recorded DISPATCHED with the job
 * on it (as recordJob would, without a second round trip) and its processing deadline.
 */
export async function claimFreeConsumer(db: Database, claim: Claim, lockedRows: LockedRows): Promise<LeaseRow | undefined> {
  const { job } = claim;
  const [row] = await db.query<LeaseRow>(sql`
    WITH picked AS (
      ${claimableConsumers(claim.pool, claim.labels)}
      LIMIT 1
      ${raw(lockedRows === 'skip' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE')}
    ), ${takeSlot}, ${insertLease({
      id: claim.leaseId,
      labels: sql`${claim.labels}::text[]`,
      state: job ? 'DISPATCHED' : 'CLAIMED',
      attempt: raw('1'),
      ttlMs: job ? job.processingTtlMs : claim.ttlMs,
      job: job && { key: sql`${job.key}::text`, value: sql`${job.value}::text`, headers: sql`${JSON.stringify(job.headers)}::jsonb` },
    })}, changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed, ${leaseColumns('lease')}
      FROM claimed JOIN lease ON lease.consumer_id = claimed.id
    )
    ${selectAndAnnounce()}`);
  return row;
}
