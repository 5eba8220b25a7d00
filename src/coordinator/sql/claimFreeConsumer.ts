import { raw, sql } from '../../sql/statement.js';
import type { Database, JobMessage } from '../ports.js';
import { claimableConsumers, consumerColumns, consumerTableColumns, leaseColumns, selectAndAnnounce } from './fragments.js';
import type { LeaseRow } from './rows.js';

/**
 * How a claim treats consumer rows that other statements hold locked (a claim or a completion in
 * flight): `skip` them, so concurrent claims spread over different consumers; or `wait` for them and
 * look again — the second try of a claim that skipped everything, since a locked consumer with
 * capacity > 1 may still have a free slot once the other statement commits.
 */
export type LockedRows = 'skip' | 'wait';

/** The job a claim records along with its lease: with a message (dispatch), or a waiting producer's request (no message yet). */
export interface ClaimedJob {
  id: string;
  message?: JobMessage | undefined;
  /** With a message: how long the consumer has to complete it. */
  processingTtlMs: number;
  priority: number;
  fairnessKey: string;
  requestKey?: string | undefined;
  requestedBy?: string | undefined;
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
 * nothing when no consumer is claimable. With `job`, the job is recorded too (DISPATCHED on this
 * lease); with its message, the lease is DISPATCHED from the start with the processing deadline.
 * A fairness key with a limit of jobs in flight is never claimed for here: its jobs wait in line,
 * where the limit is kept (see assignment.ts).
 */
export async function claimFreeConsumer(db: Database, claim: Claim, lockedRows: LockedRows): Promise<LeaseRow | undefined> {
  const { job } = claim;
  const message = job?.message;
  const [row] = await db.query<LeaseRow>(sql`
    WITH picked AS (
      ${claimableConsumers(claim.pool, claim.labels)}
      LIMIT 1
      ${raw(lockedRows === 'skip' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE')}
    ), claimed AS (
      UPDATE consumers c SET in_flight = c.in_flight + 1, free_since = now(), updated_at = now()
      FROM picked
      WHERE c.id = picked.id
        AND NOT EXISTS (SELECT 1 FROM fairness_keys k WHERE k.pool = c.pool AND k.key = ${job?.fairnessKey ?? ''} AND k.max_in_flight IS NOT NULL)
      RETURNING ${consumerTableColumns('c')}
    ), job AS (
      INSERT INTO jobs (id, pool, state, labels, priority, rank, fairness_key, fair_tag, sort_key, attempts,
                        message_key, message_value, message_headers, request_key, requested_by, lease_id)
      SELECT ${job?.id ?? null}::uuid, claimed.pool, 'DISPATCHED', ${claim.labels}::text[], ${job?.priority ?? 0}, ${job?.priority ?? 0},
             ${job?.fairnessKey ?? ''}, 0, 0, 1, ${message?.key ?? null}, ${message?.value ?? null},
             ${message ? JSON.stringify(message.headers) : null}::jsonb, ${job?.requestKey ?? null}, ${job?.requestedBy ?? null},
             ${claim.leaseId}::uuid
      FROM claimed WHERE ${job?.id ?? null}::uuid IS NOT NULL
      RETURNING id
    ), lease AS (
      INSERT INTO leases (id, consumer_id, pool, labels, state, attempt, consumer_epoch, claimed_at, expires_at, topic,
                          dispatched_at, job_id, fairness_key)
      SELECT ${claim.leaseId}::uuid, claimed.id, claimed.pool, ${claim.labels}::text[],
             ${message ? 'DISPATCHED' : 'CLAIMED'}::"LeaseState", 1, claimed.epoch, now(),
             now() + ${message && job ? job.processingTtlMs : claim.ttlMs} * interval '1 millisecond',
             ${raw(message ? 'claimed.topic' : 'NULL')}, ${raw(message ? 'now()' : 'NULL')}, ${job?.id ?? null}::uuid, ${job?.fairnessKey ?? ''}
      FROM claimed
      RETURNING id, consumer_id, state, attempt, claimed_at, expires_at, ended_at, end_reason
    ), changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed, ${leaseColumns('lease')}
      FROM claimed JOIN lease ON lease.consumer_id = claimed.id
    )
    ${selectAndAnnounce()}`);
  return row;
}
