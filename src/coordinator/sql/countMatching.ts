import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** Why no consumer of a pool carrying some labels is claimable: how many of them are in each state. */
export interface MatchingCounts {
  matching: number;
  offline: number;
  busy: number;
  draining: number;
  /** FREE and alive, with every slot leased. */
  full: number;
}

/** Registered consumers of `pool` that carry `labels`, counted by what keeps them from a claim. */
export async function countMatching(db: Database, pool: string, labels: readonly string[]): Promise<MatchingCounts> {
  const [row] = await db.query<MatchingCounts>(sql`
    SELECT count(*)::int AS matching,
           count(*) FILTER (WHERE c.offline_since IS NOT NULL)::int AS offline,
           count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'BUSY')::int AS busy,
           count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'DRAINING')::int AS draining,
           count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'FREE' AND c.in_flight >= c.capacity)::int AS full
    FROM consumers c
    WHERE c.pool = ${pool} AND c.deregistered_at IS NULL AND c.labels @> ${labels}::text[]`);
  return row ?? { matching: 0, offline: 0, busy: 0, draining: 0, full: 0 };
}
