import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

/** The job as it is now, and what it was before the statement changed it. */
export interface DeadLetterChange extends JobRow {
  stateBefore: string;
  attemptsBefore: number;
  reasonBefore: string | null;
}

/**
 * Puts a dead-lettered job (DEAD_LETTERED, or DEAD_LETTERING: not yet written to the dead-letter
 * topic) back in its pool's line: PENDING, first in line (as a job sent again), with its attempts
 * reset to 0 so it gets all of them again, in line from now (submitted_at, the wait and the ageing
 * count from the replay). Its last lease stays, and links to its next. Nothing for any other job.
 */
export async function replayDeadLetter(db: Database, id: string): Promise<DeadLetterChange | undefined> {
  const [row] = await db.query<DeadLetterChange>(sql`
    WITH old AS (
      SELECT id, state, attempts, end_reason FROM jobs
      WHERE id = ${id}::uuid AND state IN ('DEAD_LETTERED', 'DEAD_LETTERING') AND message_value IS NOT NULL
      FOR UPDATE
    ), j AS (
      UPDATE jobs j SET state = 'PENDING', attempts = 0, sort_key = '-Infinity'::float8, replica_id = NULL,
             submitted_at = now(), ranked_at = now(), ended_at = NULL, end_reason = NULL
      FROM old WHERE j.id = old.id
      RETURNING j.*
    ), counted AS (
      INSERT INTO pools AS p (pool, fair_clock, pending) SELECT pool, 0, 1 FROM j
      ON CONFLICT (pool) DO UPDATE SET pending = p.pending + 1
      RETURNING p.pool
    )
    SELECT ${jobColumns('j')}, old.state::text AS "stateBefore", old.attempts AS "attemptsBefore", old.end_reason AS "reasonBefore"
    FROM j JOIN old ON old.id = j.id`);
  return row;
}
