import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { isAvailableSql } from './fragments.js';

/** Pools with a claimable consumer: where pending jobs could be assigned now. */
export async function poolsWithFreeSlots(db: Database): Promise<string[]> {
  const rows = await db.query<{ pool: string }>(sql`SELECT DISTINCT c.pool FROM consumers c WHERE ${isAvailableSql('c')}`);
  return rows.map((row) => row.pool);
}
