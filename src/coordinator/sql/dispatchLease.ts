import { type Db, type LeaseOwnerCheck, type LeaseRow, consumerColumns, leaseColumns, leaseOwnedBy } from './fragments.js';

export interface DispatchedJob {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** How long the consumer has to complete (or extend) it. */
  processingTtlMs: number;
}

/**
 * Records the job on its claimed lease before it is produced, so a lease that holds a job always has
 * it: the job can be sent again if its consumer fails. Recording the same job twice is a harmless
 * retry. Returns nothing if the lease is neither CLAIMED nor holding this job.
 */
export async function markLeaseDispatched(db: Db, leaseId: string, job: DispatchedJob): Promise<LeaseRow | undefined> {
  const [row] = await db.$queryRaw<LeaseRow[]>`
    WITH l AS (
      UPDATE leases l SET state = 'DISPATCHED', topic = (SELECT c.topic FROM consumers c WHERE c.id = l.consumer_id), message_key = ${job.key},
             message_value = ${job.value}, message_headers = ${JSON.stringify(job.headers)}::jsonb,
             dispatched_at = now(), expires_at = now() + ${job.processingTtlMs} * interval '1 millisecond'
      WHERE l.id = ${leaseId}::uuid
        -- The same job recorded again is a retry (its first answer was lost): it succeeds again.
        AND (l.state = 'CLAIMED'
             OR (l.state = 'DISPATCHED' AND l.message_value = ${job.value} AND l.message_key IS NOT DISTINCT FROM ${job.key}))
      RETURNING l.*
    )
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM l JOIN consumers c ON c.id = l.consumer_id`;
  return row;
}

/**
 * Pushes back the deadline of an active lease, held by `consumerId` at `epoch` when given. A CLAIMED
 * lease the consumer extends has reached it, so it counts as DISPATCHED from then on.
 */
export async function extendLease(
  db: Db,
  leaseId: string,
  ms: number,
  owner: LeaseOwnerCheck,
): Promise<LeaseRow | undefined> {
  const [row] = await db.$queryRaw<LeaseRow[]>`
    WITH l AS (
      UPDATE leases l SET expires_at = now() + ${ms} * interval '1 millisecond', state = 'DISPATCHED',
             dispatched_at = coalesce(l.dispatched_at, now())
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND l.state IN ('CLAIMED', 'DISPATCHED') AND ${leaseOwnedBy(leaseId, owner)}
      RETURNING l.*
    )
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM l JOIN consumers c ON c.id = l.consumer_id`;
  return row;
}
