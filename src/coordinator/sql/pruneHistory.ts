import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { waitsForNextAttempt } from './fragments.js';

/**
 * Deletes up to `batch` ended leases older than the retention (never a job still waiting for its next
 * attempt), then the deregistered consumers older than it that no lease refers to any more.
 * How many of each went.
 */
export async function pruneHistory(db: Database, retentionMs: number, batch: number): Promise<{ leases: number; consumers: number }> {
  const [row] = await db.query<{ leases: number; consumers: number }>(sql`
    WITH doomed AS (
      SELECT l.id FROM leases l
      WHERE l.ended_at < now() - ${retentionMs} * interval '1 millisecond' AND NOT (${waitsForNextAttempt})
      ORDER BY l.ended_at
      LIMIT ${batch}
      FOR UPDATE SKIP LOCKED
    ), leases_gone AS (
      DELETE FROM leases WHERE id IN (SELECT id FROM doomed) RETURNING consumer_id
    ), consumers_gone AS (
      DELETE FROM consumers c
      WHERE c.deregistered_at < now() - ${retentionMs} * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.consumer_id = c.id AND l.id NOT IN (SELECT id FROM doomed))
      RETURNING c.id
    )
    SELECT (SELECT count(*)::int FROM leases_gone) AS leases, (SELECT count(*)::int FROM consumers_gone) AS consumers`);
  return row ?? { leases: 0, consumers: 0 };
}
