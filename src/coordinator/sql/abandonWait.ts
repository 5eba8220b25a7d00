import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/**
 * A waiting producer left (its subscription ended, its wait timed out): its job is CANCELLED while
 * still PENDING. Returns whether it was; when not, its job already got a lease (on the way to this
 * replica), which the caller releases with releaseAssigned.
 */
export async function abandonWait(db: Database, jobId: string): Promise<boolean> {
  const rows = await db.query<{ id: string }>(sql`
    UPDATE jobs SET state = 'CANCELLED', ended_at = now(), end_reason = 'the waiting producer left'
    WHERE id = ${jobId}::uuid AND state = 'PENDING'
    RETURNING id`);
  return rows.length > 0;
}

/** Gives back the lease a waiting producer's job got after the producer left (the job is cancelled). */
export function releaseAssigned(db: Database, jobId: string, settings: JobSettings) {
  return endLeases(db, 'RELEASED', sql`l.job_id = ${jobId}::uuid`, { ...settings, reason: sql`'the waiting producer left'`, assign: settings });
}
