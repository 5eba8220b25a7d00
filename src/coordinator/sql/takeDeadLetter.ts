import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns, nextAttemptOrder, waitsForNextAttempt } from './fragments.js';
import type { JobPayload } from './rows.js';

export interface DeadLetterRow extends JobPayload {
  id: string;
  pool: string;
  attempt: number;
  endReason: string | null;
  topic: string;
}

/** Takes one job of `pool` that used up its attempts and marks it DEAD_LETTERED; the caller then produces it to the DLQ. */
export async function takeDeadLetter(db: Database, pool: string, maxAttempts: number): Promise<DeadLetterRow | undefined> {
  const [row] = await db.query<DeadLetterRow>(sql`
    UPDATE leases SET state = 'DEAD_LETTERED'
    WHERE id = (
      SELECT l.id FROM leases l
      WHERE l.pool = ${pool} AND ${waitsForNextAttempt} AND l.attempt >= ${maxAttempts}
      ${nextAttemptOrder}
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    RETURNING id, pool, attempt, end_reason AS "endReason", topic, ${jobColumns('leases')}`);
  return row;
}
