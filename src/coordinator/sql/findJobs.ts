import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

/** Jobs by id, in no particular order. */
export function findJobs(db: Database, ids: readonly string[]): Promise<JobRow[]> {
  return db.query<JobRow>(sql`SELECT ${jobColumns('j')} FROM jobs j WHERE j.id = ANY(${ids}::uuid[])`);
}
