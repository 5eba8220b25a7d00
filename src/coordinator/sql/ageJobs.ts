import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * Ageing, so that no job waits forever behind higher priorities: a pending job that waited an
 * ageing interval behind a higher-ranked one is served one level higher (up to the top). Up to
 * `batch` jobs, oldest first; only where a higher rank waits, so a pool of one priority costs nothing.
 */
export async function ageJobs(db: Database, intervalMs: number, batch: number): Promise<number> {
  const rows = await db.query<{ id: string }>(sql`
    WITH tops AS (
      SELECT j.pool, max(j.rank) AS rank FROM jobs j WHERE j.state = 'PENDING' GROUP BY j.pool
    )
    UPDATE jobs SET rank = jobs.rank + 1, ranked_at = now()
    WHERE jobs.id IN (
      SELECT j.id FROM jobs j JOIN tops ON tops.pool = j.pool
      WHERE j.state = 'PENDING' AND j.rank < tops.rank AND j.ranked_at <= now() - ${intervalMs} * interval '1 millisecond'
      ORDER BY j.ranked_at
      LIMIT ${batch}
      FOR UPDATE OF j SKIP LOCKED
    )
    RETURNING jobs.id`);
  return rows.length;
}
