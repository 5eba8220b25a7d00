import { sql } from '../../sql/statement.js';
import { intakePoolsChannel } from '../channels.js';
import type { Database } from '../ports.js';

/** Tells every replica's intake that the pool has a consumer and an intake topic: one not reading it yet starts now. */
export async function announceIntakePool(db: Database, pool: string): Promise<void> {
  await db.query(sql`SELECT pg_notify(${intakePoolsChannel}, ${pool}) IS NULL AS sent`);
}
