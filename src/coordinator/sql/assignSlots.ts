import { type Sql, raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type AssignedJob, type AssignmentSettings, assignedCount, assignedResults, assignmentCtes } from './assignment.js';
import { announceChanged, claimOrder, consumerColumns, isAvailableSql, jobOrder } from './fragments.js';
import type { ChangedRow } from './rows.js';

export interface AssignedRow extends ChangedRow {
  assigned: AssignedJob[];
  count: number;
}

/** Which consumer to fill: the one the pool's first assignable job would go to, or a given one. */
export type FillTarget = { pool: string } | { consumerId: string };

/** How many pending jobs, in order, the pool fill looks at to find one some free consumer can take. */
const lookahead = 32;

/**
 * Fills the free slots of one consumer with the jobs it may take, in the pool's order. For a pool:
 * the consumer is the one (longest idle first) that the first pending job a free consumer can take
 * would go to — one consumer per statement; callers repeat until nothing more is assigned. For a
 * consumer: that one, after a change that opened its slots in the same transaction. Returns no row
 * when no consumer could be filled.
 */
export async function assignSlots(db: Database, target: FillTarget, settings: AssignmentSettings): Promise<AssignedRow | undefined> {
  const chosen: Sql =
    'pool' in target
      ? sql`candidates AS (
          SELECT j.id, j.labels, row_number() OVER (${jobOrder}) AS n FROM jobs j
          WHERE j.pool = ${target.pool} AND j.state = 'PENDING' AND (j.replica_id IS NOT NULL OR ${settings.produces})
            AND j.fairness_key NOT IN (SELECT k.key FROM fairness_keys k WHERE k.pool = ${target.pool} AND k.max_in_flight IS NOT NULL
                                       AND k.in_flight >= k.max_in_flight)
          ${jobOrder}
          LIMIT ${lookahead}
        ), chosen AS (
          SELECT taker.id FROM candidates
          CROSS JOIN LATERAL (
            SELECT c.id FROM consumers c
            WHERE c.pool = ${target.pool} AND ${isAvailableSql('c')} AND c.labels @> candidates.labels
            ${claimOrder}
            LIMIT 1
          ) taker
          ORDER BY candidates.n
          LIMIT 1
        ), old AS (
          SELECT c.id, c.pool, c.labels, c.epoch, c.topic, c.in_flight, c.capacity FROM consumers c
          WHERE c.id = (SELECT id FROM chosen) AND ${isAvailableSql('c')}
          FOR UPDATE SKIP LOCKED
        ),`
      : sql`old AS (
          SELECT c.id, c.pool, c.labels, c.epoch, c.topic, c.in_flight, c.capacity FROM consumers c
          WHERE c.id = ${target.consumerId} AND ${isAvailableSql('c')}
          FOR UPDATE
        ),`;
  const [row] = await db.query<AssignedRow>(sql`
    WITH ${chosen} slot AS (
      SELECT old.id, old.pool, old.labels, old.epoch, old.topic, greatest(old.capacity - old.in_flight, 0) AS free FROM old
    ), ${assignmentCtes(settings)}, changed AS (
      UPDATE consumers c SET in_flight = c.in_flight + ${assignedCount},
             free_since = CASE WHEN ${assignedCount} > 0 THEN now() ELSE c.free_since END, updated_at = now()
      FROM old WHERE c.id = old.id
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    SELECT changed.*, ${announceChanged(raw(`(SELECT count(*) FROM assigned) > 0`))}, ${assignedResults}, ${assignedCount} AS count
    FROM changed`);
  return row;
}
