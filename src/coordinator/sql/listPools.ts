import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** Every pool Handoff knows: one a consumer registered in (kept while its history is), or one that had jobs. */
export async function listPools(db: Database): Promise<string[]> {
  const rows = await db.query<{ pool: string }>(sql`SELECT pool FROM consumers UNION SELECT pool FROM pools ORDER BY pool`);
  return rows.map((row) => row.pool);
}
