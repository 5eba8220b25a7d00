import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { PoolStats } from '../types.js';

/** What the database counts; waiting producers are counted in memory by each replica. */
export type PoolCountsRow = Omit<PoolStats, 'pool' | 'waitingProducers'> & { pool: string };

/** Counts by pool, optionally one pool only. */
export function countByPool(db: Database, pool: string | undefined): Promise<PoolCountsRow[]> {
  return db.query<PoolCountsRow>(sql`
    SELECT c.pool,
           count(*)::int AS consumers,
           count(*) FILTER (WHERE c.status = 'FREE')::int AS free,
           count(*) FILTER (WHERE c.status = 'BUSY')::int AS busy,
           count(*) FILTER (WHERE c.status = 'DRAINING')::int AS draining,
           count(*) FILTER (WHERE c.status = 'OFFLINE')::int AS offline,
           coalesce(sum(c.capacity), 0)::int AS capacity,
           coalesce(sum(c.in_flight), 0)::int AS "inFlight",
           (SELECT count(*)::int FROM leases l
             WHERE l.pool = c.pool AND l.claimed_at > now() - interval '1 minute') AS "claimsLastMinute",
           (SELECT count(*)::int FROM leases l
             WHERE l.pool = c.pool AND l.state = 'DEAD_LETTERED') AS "deadLettered"
    FROM consumers c
    WHERE (${pool ?? null}::text IS NULL OR c.pool = ${pool ?? null})
    GROUP BY c.pool
    ORDER BY c.pool`);
}
