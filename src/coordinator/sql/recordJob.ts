import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { ClaimedJob } from './claimFreeConsumer.js';
import { consumerColumns, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';

/**
 * Records the job on its claimed lease before it is produced, so a lease that holds a job always has
 * it: the job can be sent again if its consumer fails. Recording the same job twice is a harmless
 * retry. Returns nothing if the lease is neither CLAIMED nor holding this job.
 */
export async function recordJob(db: Database, leaseId: string, job: ClaimedJob): Promise<LeaseRow | undefined> {
  const [row] = await db.query<LeaseRow>(sql`
    WITH l AS (
      UPDATE leases l SET state = 'DISPATCHED', topic = (SELECT c.topic FROM consumers c WHERE c.id = l.consumer_id), message_key = ${job.key},
             message_value = ${job.value}, message_headers = ${JSON.stringify(job.headers)}::jsonb,
             dispatched_at = now(), expires_at = now() + ${job.processingTtlMs} * interval '1 millisecond'
      WHERE l.id = ${leaseId}::uuid
        -- The same job recorded again is a retry (its first answer was lost): it succeeds again.
        AND (l.state = 'CLAIMED'
             OR (l.state = 'DISPATCHED' AND l.message_value = ${job.value} AND l.message_key IS NOT DISTINCT FROM ${job.key}))
      RETURNING l.id, l.consumer_id, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason
    )
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM l JOIN consumers c ON c.id = l.consumer_id`);
  return row;
}
