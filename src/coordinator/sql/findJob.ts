import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

export async function findJob(db: Database, id: string): Promise<JobRow | undefined> {
  const [row] = await db.query<JobRow>(sql`SELECT ${jobColumns('j')} FROM jobs j WHERE j.id = ${id}::uuid`);
  return row;
}
