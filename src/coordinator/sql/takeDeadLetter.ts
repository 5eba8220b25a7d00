import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobPayload } from './rows.js';

export interface DeadLetterRow extends JobPayload {
  id: string;
  pool: string;
  attempts: number;
  leaseId: string | null;
  endReason: string | null;
  topic: string | null;
}

/**
 * Takes one job that used up its attempts (DEAD_LETTERING) and marks it and its last lease
 * DEAD_LETTERED; the caller then produces it to its pool's dead-letter topic (a failure puts it back).
 */
export async function takeDeadLetter(db: Database): Promise<DeadLetterRow | undefined> {
  const [row] = await db.query<DeadLetterRow>(sql`
    WITH dead AS (
      UPDATE jobs SET state = 'DEAD_LETTERED', ended_at = now()
      WHERE id = (SELECT j.id FROM jobs j WHERE j.state = 'DEAD_LETTERING' ORDER BY j.submitted_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, pool, attempts, lease_id, end_reason, message_key, message_value, message_headers
    ), lease AS (
      UPDATE leases l SET state = 'DEAD_LETTERED' FROM dead WHERE l.id = dead.lease_id RETURNING l.topic
    )
    SELECT dead.id, dead.pool, dead.attempts, dead.lease_id AS "leaseId", dead.end_reason AS "endReason",
           (SELECT topic FROM lease) AS topic, dead.message_key AS "messageKey", dead.message_value AS "messageValue",
           dead.message_headers AS "messageHeaders"
    FROM dead`);
  return row;
}
