import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** A pool's line now: pending backlog jobs, the oldest one's age, and producers waiting (all replicas). */
export interface BacklogRow {
  pool: string;
  pending: number;
  oldestPendingMs: number | null;
  waiting: number;
}

/** Counts per pool (or one pool) of what waits: the backlog and the waiting producers. */
export function countBacklog(db: Database, pool: string | undefined): Promise<BacklogRow[]> {
  return db.query<BacklogRow>(sql`
    SELECT j.pool,
           count(*) FILTER (WHERE j.replica_id IS NULL)::int AS pending,
           (extract(epoch FROM now() - min(j.submitted_at) FILTER (WHERE j.replica_id IS NULL)) * 1000)::float8 AS "oldestPendingMs",
           count(*) FILTER (WHERE j.replica_id IS NOT NULL)::int AS waiting
    FROM jobs j
    WHERE j.state = 'PENDING' AND (${pool ?? null}::text IS NULL OR j.pool = ${pool ?? null})
    GROUP BY j.pool`);
}
