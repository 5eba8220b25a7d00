import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';

export async function findLease(db: Database, id: string): Promise<LeaseRow | undefined> {
  const [row] = await db.query<LeaseRow>(sql`
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM leases l JOIN consumers c ON c.id = l.consumer_id
    WHERE l.id = ${id}::uuid`);
  return row;
}
