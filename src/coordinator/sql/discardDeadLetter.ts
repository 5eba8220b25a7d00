import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { DeadLetterChange } from './replayDeadLetter.js';

/**
 * Discards a dead-lettered job (DEAD_LETTERED, or DEAD_LETTERING: then it is never written to the
 * dead-letter topic): CANCELLED with `reason`, kept for the history retention. Nothing for any other job.
 */
export async function discardDeadLetter(db: Database, id: string, reason: string): Promise<DeadLetterChange | undefined> {
  const [row] = await db.query<DeadLetterChange>(sql`
    WITH old AS (
      SELECT id, state, attempts, end_reason FROM jobs WHERE id = ${id}::uuid AND state IN ('DEAD_LETTERED', 'DEAD_LETTERING') FOR UPDATE
    ), j AS (
      UPDATE jobs j SET state = 'CANCELLED', ended_at = now(), end_reason = ${reason}
      FROM old WHERE j.id = old.id
      RETURNING j.*
    )
    SELECT ${jobColumns('j')}, old.state::text AS "stateBefore", old.attempts AS "attemptsBefore", old.end_reason AS "reasonBefore"
    FROM j JOIN old ON old.id = j.id`);
  return row;
}
