import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

/** Cancels a backlog job that is still PENDING; nothing when it is not. */
export async function cancelJob(db: Database, id: string, reason: string): Promise<JobRow | undefined> {
  const [row] = await db.query<JobRow>(sql`
    WITH j AS (
      UPDATE jobs j SET state = 'CANCELLED', ended_at = now(), end_reason = ${reason}
      WHERE j.id = ${id}::uuid AND j.state = 'PENDING' AND j.replica_id IS NULL
      RETURNING j.*
    ), counted AS (
      UPDATE pools SET pending = greatest(pending - 1, 0) WHERE pool = (SELECT pool FROM j) RETURNING pool
    )
    SELECT ${jobColumns('j')} FROM j`);
  return row;
}
