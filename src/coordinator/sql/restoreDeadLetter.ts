import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** The dead-letter topic could not be written: the job waits for the next sweep again. */
export async function restoreDeadLetter(db: Database, jobId: string, leaseId: string | null): Promise<void> {
  await db.query(sql`
    WITH job AS (
      UPDATE jobs SET state = 'DEAD_LETTERING', ended_at = NULL WHERE id = ${jobId}::uuid AND state = 'DEAD_LETTERED' RETURNING id
    )
    UPDATE leases SET state = 'EXPIRED' WHERE id = ${leaseId}::uuid AND state = 'DEAD_LETTERED' AND EXISTS (SELECT 1 FROM job)
    RETURNING id`);
}
