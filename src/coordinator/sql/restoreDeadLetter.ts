import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** The dead-letter topic could not be written: the job waits for the next sweep again. */
export async function restoreDeadLetter(db: Database, leaseId: string): Promise<void> {
  await db.query(sql`UPDATE leases SET state = 'EXPIRED' WHERE id = ${leaseId}::uuid AND state = 'DEAD_LETTERED' RETURNING id`);
}
