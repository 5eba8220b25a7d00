import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** Pending and in-flight jobs of a pool (waiting producers' included) by one of their traits, the largest groups first. */
export interface BacklogGroupRow {
  group: string;
  pending: number;
  inFlight: number;
}

export type BacklogGrouping = 'labels' | 'priority' | 'fairnessKey';

const groupings: Record<BacklogGrouping, string> = {
  labels: `array_to_string(j.labels, ',')`,
  priority: `j.priority::text`,
  fairnessKey: `j.fairness_key`,
};

/** The `top` largest groups of the pool's jobs by `grouping`; the rest are summed in a group named `*` (bounded cardinality). */
export function countBacklogBy(db: Database, pool: string, grouping: BacklogGrouping, top: number): Promise<BacklogGroupRow[]> {
  return db.query<BacklogGroupRow>(sql`
    WITH grouped AS (
      SELECT ${raw(groupings[grouping])} AS "group",
             count(*) FILTER (WHERE j.state = 'PENDING')::int AS pending,
             count(*) FILTER (WHERE j.state = 'DISPATCHED')::int AS "inFlight"
      FROM jobs j
      WHERE j.pool = ${pool} AND j.state IN ('PENDING', 'DISPATCHED')
      GROUP BY 1
    ), ranked AS (
      SELECT grouped.*, row_number() OVER (ORDER BY pending + "inFlight" DESC, "group") AS n FROM grouped
    )
    SELECT CASE WHEN n <= ${top} THEN "group" ELSE '*' END AS "group", sum(pending)::int AS pending, sum("inFlight")::int AS "inFlight"
    FROM ranked GROUP BY 1 ORDER BY min(n)`);
}

