import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

export interface FairnessRow {
  pool: string;
  key: string;
  weight: number;
  maxInFlight: number | null;
  inFlight: number;
}

/**
 * Sets a fairness key's weight and/or its limit of jobs in flight (undefined: unchanged; a limit of
 * null: none). A new limit starts from the key's leases in flight now.
 */
export async function setFairness(
  db: Database,
  change: { pool: string; key: string; weight?: number | undefined; maxInFlight?: number | null | undefined },
): Promise<FairnessRow> {
  const setLimit = change.maxInFlight !== undefined;
  const [row] = await db.query<FairnessRow>(sql`
    WITH held AS (
      SELECT count(*)::int AS n FROM leases l
      WHERE l.pool = ${change.pool} AND l.fairness_key = ${change.key} AND l.state IN ('CLAIMED', 'DISPATCHED')
    )
    INSERT INTO fairness_keys AS k (pool, key, weight, max_in_flight, in_flight, next_tag)
    VALUES (${change.pool}, ${change.key}, coalesce(${change.weight ?? null}::float8, 1), ${change.maxInFlight ?? null}::int,
            (SELECT n FROM held), coalesce((SELECT fair_clock FROM pools WHERE pool = ${change.pool}), 0))
    ON CONFLICT (pool, key) DO UPDATE SET
      weight = coalesce(${change.weight ?? null}::float8, k.weight),
      max_in_flight = CASE WHEN ${setLimit} THEN ${change.maxInFlight ?? null}::int ELSE k.max_in_flight END,
      in_flight = CASE WHEN ${setLimit} THEN (SELECT n FROM held) ELSE k.in_flight END,
      updated_at = now()
    RETURNING k.pool, k.key, k.weight, k.max_in_flight AS "maxInFlight", k.in_flight AS "inFlight"`);
  if (!row) throw new Error('setFairness returned no row');
  return row;
}
