import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { claimableConsumers, consumerColumns } from './fragments.js';
import type { ConsumerRow } from './rows.js';

/** The consumer a claim would take now; locks and reserves nothing. */
export async function peekFreeConsumer(db: Database, pool: string, labels: string[]): Promise<ConsumerRow | undefined> {
  const [row] = await db.query<ConsumerRow>(sql`
    SELECT ${consumerColumns('c')} FROM consumers c
    WHERE c.id = (${claimableConsumers(pool, labels)} LIMIT 1)`);
  return row;
}
