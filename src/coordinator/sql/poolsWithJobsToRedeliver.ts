import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { waitsForNextAttempt } from './fragments.js';

/** Pools with jobs waiting for their next attempt. */
export async function poolsWithJobsToRedeliver(db: Database): Promise<string[]> {
  const rows = await db.query<{ pool: string }>(sql`SELECT DISTINCT l.pool FROM leases l WHERE ${waitsForNextAttempt}`);
  return rows.map((row) => row.pool);
}
