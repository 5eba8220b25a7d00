import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type UpdatedRow, updateConsumers } from './updateConsumers.js';

/**
 * An operator ends a drain: the consumer declares FREE again, at the back of the idle line. Only a
 * DRAINING consumer (BUSY is the consumer's own word about its work); no epoch, not a sign of life.
 */
export async function resumeConsumer(db: Database, id: string): Promise<UpdatedRow | undefined> {
  const [row] = await updateConsumers(db, sql`id = ${id} AND status = 'DRAINING'`, raw(`status = 'FREE', free_since = now()`), raw('true'));
  return row;
}
