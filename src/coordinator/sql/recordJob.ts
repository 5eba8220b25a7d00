import { sql } from '../../sql/statement.js';
import type { Database, JobMessage } from '../ports.js';
import { consumerColumns, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';

/**
 * Records the job on its claimed lease before the producer sends it, so a lease that holds a job
 * always has it: the job can be sent again if its consumer fails. The lease becomes DISPATCHED with
 * the processing deadline; its job row (a waiting producer's, or a new one) gets the message.
 * Recording the same job again is a harmless retry. Returns nothing if the lease is neither CLAIMED
 * nor holding this job.
 */
export async function recordJob(
  db: Database,
  leaseId: string,
  job: { newJobId: string; message: JobMessage; processingTtlMs: number },
): Promise<LeaseRow | undefined> {
  const { message } = job;
  const headers = JSON.stringify(message.headers);
  const [row] = await db.query<LeaseRow>(sql`
    WITH target AS (
      SELECT l.id, l.job_id, l.pool, l.labels, l.attempt, l.fairness_key FROM leases l
      LEFT JOIN jobs j ON j.id = l.job_id
      WHERE l.id = ${leaseId}::uuid
        AND (l.state = 'CLAIMED'
             -- The same job recorded again is a retry (its first answer was lost): it succeeds again.
             OR (l.state = 'DISPATCHED' AND j.message_value = ${message.value} AND j.message_key IS NOT DISTINCT FROM ${message.key}))
      FOR UPDATE OF l
    ), existing AS (
      UPDATE jobs j SET message_key = ${message.key}, message_value = ${message.value}, message_headers = ${headers}::jsonb
      FROM target WHERE j.id = target.job_id
      RETURNING j.id
    ), created AS (
      INSERT INTO jobs (id, pool, state, labels, fair_tag, sort_key, attempts, message_key, message_value, message_headers,
                        fairness_key, lease_id)
      SELECT ${job.newJobId}::uuid, target.pool, 'DISPATCHED', target.labels, 0, 0, target.attempt, ${message.key}, ${message.value},
             ${headers}::jsonb, target.fairness_key, target.id
      FROM target WHERE target.job_id IS NULL
      RETURNING id
    ), l AS (
      UPDATE leases l SET state = 'DISPATCHED', topic = (SELECT c.topic FROM consumers c WHERE c.id = l.consumer_id),
             dispatched_at = now(), expires_at = now() + ${job.processingTtlMs} * interval '1 millisecond',
             job_id = coalesce(target.job_id, ${job.newJobId}::uuid)
      FROM target WHERE l.id = target.id
      RETURNING l.id, l.consumer_id, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason
    )
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM l JOIN consumers c ON c.id = l.consumer_id`);
  return row;
}
