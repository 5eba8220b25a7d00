import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * Sets each pool's running count of pending backlog jobs to the true count. Submissions add to it at
 * once and nothing subtracts but this, so between recounts the count errs high: the backlog limit
 * may refuse a little early, never let the backlog past it.
 */
export async function recountPending(db: Database): Promise<void> {
  await db.query(sql`
    UPDATE pools p SET pending = coalesce((SELECT count(*)::int FROM jobs j WHERE j.pool = p.pool AND j.state = 'PENDING' AND j.replica_id IS NULL), 0)
    RETURNING p.pool`);
}
