import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { SettableStatus } from '../types.js';
import { updateConsumer } from './updateConsumers.js';

/** Sets FREE, BUSY or DRAINING. Turning FREE puts the consumer at the back of the idle line. */
export function setConsumerStatus(db: Database, id: string, epoch: number, status: SettableStatus) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`status = ${status}::"ConsumerStatus",
        free_since = CASE WHEN ${status} <> 'FREE' THEN NULL
                          WHEN old.status = 'FREE' THEN c.free_since
                          ELSE now() END`,
    raw('true'),
  );
}
