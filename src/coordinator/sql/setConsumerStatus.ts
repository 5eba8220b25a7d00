import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { SettableStatus } from '../types.js';
import { signOfLife, updateConsumer } from './updateConsumers.js';

/**
 * Sets FREE, BUSY or DRAINING, and counts as a sign of life. Turning FREE (or coming back alive FREE)
 * puts the consumer at the back of the idle line.
 */
export function setConsumerStatus(db: Database, id: string, epoch: number, status: SettableStatus) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`status = ${status}::"ConsumerStatus", ${signOfLife},
        free_since = CASE WHEN ${status} <> 'FREE' THEN NULL
                          WHEN old.status = 'FREE' AND old.offline_since IS NULL THEN c.free_since
                          ELSE now() END`,
    raw('true'),
  );
}
