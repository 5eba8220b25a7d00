import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** The pool's running count of pending backlog jobs: the count its backlog limit is checked against (see recountPending). */
export async function countPending(db: Database, pool: string): Promise<number> {
  const [row] = await db.query<{ pending: number }>(sql`SELECT pending FROM pools WHERE pool = ${pool}`);
  return row?.pending ?? 0;
}
