import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { updateConsumer } from './updateConsumers.js';

/** Records a heartbeat; an OFFLINE consumer that beats again is FREE again (and announced). */
export function recordHeartbeat(db: Database, id: string, epoch: number) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`last_heartbeat_at = now(),
        status = CASE WHEN old.status = 'OFFLINE' THEN 'FREE' ELSE old.status END,
        free_since = CASE WHEN old.status = 'OFFLINE' THEN now() ELSE c.free_since END`,
    raw(`changed."oldStatus" = 'OFFLINE'`),
  );
}
