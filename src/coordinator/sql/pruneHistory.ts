import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * Deletes, up to `batch` of each, the ended leases and ended jobs older than the retention (never a
 * job still waiting, nor the last lease of one waiting to be sent again), then the deregistered
 * consumers older than it that no lease refers to any more. How many leases went.
 */
export async function pruneHistory(db: Database, retentionMs: number, batch: number): Promise<{ leases: number; jobs: number }> {
  const [row] = await db.query<{ leases: number; jobs: number }>(sql`
    WITH doomed AS (
      SELECT l.id FROM leases l
      WHERE l.ended_at < now() - ${retentionMs} * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = l.job_id AND j.state IN ('PENDING', 'DEAD_LETTERING'))
      ORDER BY l.ended_at
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED
    ), leases_gone AS (
      DELETE FROM leases WHERE id IN (SELECT id FROM doomed) RETURNING consumer_id
    ), jobs_gone AS (
      DELETE FROM jobs WHERE id IN (
        SELECT j.id FROM jobs j
        WHERE j.state IN ('COMPLETED', 'CANCELLED', 'DEAD_LETTERED') AND j.ended_at < now() - ${retentionMs} * interval '1 millisecond'
        ORDER BY j.ended_at
        LIMIT ${batch}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id
    ), consumers_gone AS (
      DELETE FROM consumers c
      WHERE c.deregistered_at < now() - ${retentionMs} * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.consumer_id = c.id AND l.id NOT IN (SELECT id FROM doomed))
      RETURNING c.id
    )
    SELECT (SELECT count(*)::int FROM leases_gone) AS leases, (SELECT count(*)::int FROM jobs_gone) AS jobs,
           (SELECT count(*)::int FROM consumers_gone) AS consumers`);
  return row ?? { leases: 0, jobs: 0 };
}
