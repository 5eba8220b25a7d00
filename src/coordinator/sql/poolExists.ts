import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** Some consumer is registered in the pool. */
export async function poolExists(db: Database, pool: string): Promise<boolean> {
  const rows = await db.query<{ one: number }>(sql`SELECT 1 AS one FROM consumers WHERE pool = ${pool} AND deregistered_at IS NULL LIMIT 1`);
  return rows.length > 0;
}
