import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { PoolStats } from '../types.js';

/** What the database counts; waiting producers are counted in memory by each replica. */
export type PoolCountsRow = Omit<PoolStats, 'pool' | 'waitingProducers'> & { pool: string };

/** Counts of registered consumers by pool, optionally one pool only: FREE, BUSY and DRAINING count the alive ones. */
export function countByPool(db: Database, pool: string | undefined): Promise<PoolCountsRow[]> {
  return db.query<PoolCountsRow>(sql`
    SELECT c.pool,
           count(*)::int AS consumers,
           count(*) FILTER (WHERE c.status = 'FREE' AND c.offline_since IS NULL)::int AS free,
           count(*) FILTER (WHERE c.status = 'BUSY' AND c.offline_since IS NULL)::int AS busy,
           count(*) FILTER (WHERE c.status = 'DRAINING' AND c.offline_since IS NULL)::int AS draining,
           count(*) FILTER (WHERE c.offline_since IS NOT NULL)::int AS offline,
           coalesce(sum(c.capacity), 0)::int AS capacity,
           coalesce(sum(c.in_flight), 0)::int AS "inFlight",
           coalesce(sum(c.offline_verdicts), 0)::int AS "offlineVerdicts",
           coalesce(sum(c.false_offlines), 0)::int AS "falseOfflines",
           (SELECT count(*)::int FROM leases l
             WHERE l.pool = c.pool AND l.claimed_at > now() - interval '1 minute') AS "claimsLastMinute",
           -- Dead letters an operator has not replayed or discarded (the jobs, not their last leases: a replay ends one).
           (SELECT count(*)::int FROM jobs j
             WHERE j.pool = c.pool AND j.state = 'DEAD_LETTERED') AS "deadLettered"
    FROM consumers c
    WHERE c.deregistered_at IS NULL AND (${pool ?? null}::text IS NULL OR c.pool = ${pool ?? null})
    GROUP BY c.pool
    ORDER BY c.pool`);
}
