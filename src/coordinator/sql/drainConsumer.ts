import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type UpdatedRow, updateConsumers } from './updateConsumers.js';

/**
 * An operator drains a consumer: it declares DRAINING (takes no new job, keeps what it holds) until it
 * declares otherwise. No epoch, and not a sign of life: the operator is not the consumer. Nothing when
 * it is not registered or already DRAINING.
 */
export async function drainConsumer(db: Database, id: string): Promise<UpdatedRow | undefined> {
  const [row] = await updateConsumers(db, sql`id = ${id} AND status <> 'DRAINING'`, raw(`status = 'DRAINING', free_since = NULL`), raw('true'));
  return row;
}
