import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns } from './fragments.js';
import type { ConsumerRow } from './rows.js';

/** The registered consumer with this id (a deregistered one is not). */
export async function findConsumer(db: Database, id: string): Promise<ConsumerRow | undefined> {
  const [row] = await db.query<ConsumerRow>(sql`
    SELECT ${consumerColumns('c')} FROM consumers c WHERE c.id = ${id} AND c.deregistered_at IS NULL`);
  return row;
}
