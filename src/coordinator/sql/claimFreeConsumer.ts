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

/** Claims of one pool and labels, made together: each a lease id and how long its claim lasts. */
export interface Claims {
  pool: string;
  labels: string[];
  leases: readonly { leaseId: string; ttlMs: number }[];
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
  const ttlMs = job?.message ? job.processingTtlMs : claim.ttlMs;
  const [row] = await claimStatement(db, { pool: claim.pool, labels: claim.labels, leases: [{ leaseId: claim.leaseId, ttlMs }] }, lockedRows, job);
  return row;
}

/**
 * Several claims without a job in one statement, the same as one after the other: the longest-idle
 * claimable consumers, one slot of each (a claim takes a consumer to the back of the idle line, so
 * claims one after the other would take different consumers too, while there are enough). A row per
 * lease recorded; a claim left without one (fewer consumers claimable than claims) gets none.
 */
export function claimFreeConsumers(db: Database, claims: Claims): Promise<LeaseRow[]> {
  return claimStatement(db, claims, 'skip', undefined);
}

async function claimStatement(db: Database, claims: Claims, lockedRows: LockedRows, job: ClaimedJob | undefined): Promise<LeaseRow[]> {
  const message = job?.message;
  return db.query<LeaseRow>(sql`
    WITH asked AS (
      SELECT * FROM unnest(${claims.leases.map((lease) => lease.leaseId)}::uuid[], ${claims.leases.map((lease) => lease.ttlMs)}::int[])
        WITH ORDINALITY AS a(lease_id, ttl_ms, n)
    ), picked AS (
      -- Which claim takes which consumer does not matter: they came together.
      SELECT id, row_number() OVER () AS n FROM (
        ${claimableConsumers(claims.pool, claims.labels)}
        LIMIT ${claims.leases.length}
        ${raw(lockedRows === 'skip' ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE')}
      ) claimable
    ), claimed AS (
      UPDATE consumers c SET in_flight = c.in_flight + 1, free_since = now(), updated_at = now()
      FROM picked
      WHERE c.id = picked.id
        AND NOT EXISTS (SELECT 1 FROM fairness_keys k WHERE k.pool = c.pool AND k.key = ${job?.fairnessKey ?? ''} AND k.max_in_flight IS NOT NULL)
      RETURNING ${consumerTableColumns('c')}, picked.n
    ), job AS (
      INSERT INTO jobs (id, pool, state, labels, priority, rank, fairness_key, fair_tag, sort_key, attempts,
                        message_key, message_value, message_headers, request_key, requested_by, lease_id)
      SELECT ${job?.id ?? null}::uuid, claimed.pool, 'DISPATCHED', ${claims.labels}::text[], ${job?.priority ?? 0}, ${job?.priority ?? 0},
             ${job?.fairnessKey ?? ''}, 0, 0, 1, ${message?.key ?? null}, ${message?.value ?? null},
             ${message ? JSON.stringify(message.headers) : null}::jsonb, ${job?.requestKey ?? null}, ${job?.requestedBy ?? null},
             asked.lease_id
      FROM claimed JOIN asked ON asked.n = claimed.n WHERE ${job?.id ?? null}::uuid IS NOT NULL
      RETURNING id
    ), lease AS (
      INSERT INTO leases (id, consumer_id, pool, labels, state, attempt, consumer_epoch, claimed_at, expires_at, topic,
                          dispatched_at, job_id, fairness_key)
      SELECT asked.lease_id, claimed.id, claimed.pool, ${claims.labels}::text[],
             ${message ? 'DISPATCHED' : 'CLAIMED'}::"LeaseState", 1, claimed.epoch, now(), now() + asked.ttl_ms * interval '1 millisecond',
             ${raw(message ? 'claimed.topic' : 'NULL')}, ${raw(message ? 'now()' : 'NULL')}, ${job?.id ?? null}::uuid, ${job?.fairnessKey ?? ''}
      FROM claimed JOIN asked ON asked.n = claimed.n
      RETURNING id, consumer_id, state, attempt, claimed_at, expires_at, ended_at, end_reason
    ), changed AS (
      SELECT ${consumerColumns('claimed')}, false AS "slotOpened", false AS removed, ${leaseColumns('lease')}
      FROM claimed JOIN lease ON lease.consumer_id = claimed.id
    )
    ${selectAndAnnounce()}`);
}
