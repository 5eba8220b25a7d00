import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

/** The job a waiting producer's request key (of one API key, in one pool) names. */
export async function findJobByRequestKey(db: Database, pool: string, requestedBy: string, requestKey: string): Promise<JobRow | undefined> {
  const [row] = await db.query<JobRow>(sql`
    SELECT ${jobColumns('j')} FROM jobs j WHERE j.pool = ${pool} AND j.requested_by = ${requestedBy} AND j.request_key = ${requestKey}`);
  return row;
}
