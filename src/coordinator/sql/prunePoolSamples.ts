import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** Deletes the samples older than `keepMs`. */
export async function prunePoolSamples(db: Database, keepMs: number): Promise<void> {
  await db.query(sql`DELETE FROM pool_samples WHERE at < now() - ${keepMs} * interval '1 millisecond' RETURNING pool`);
}
