import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { signOfLife, updateConsumer } from './updateConsumers.js';

/**
 * Records a heartbeat. A consumer judged OFFLINE that beats again is alive again with the status it
 * had declared (announced; one that is FREE goes to the back of the idle line).
 */
export function recordHeartbeat(db: Database, id: string, epoch: number) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`${signOfLife}, free_since = CASE WHEN old.offline_since IS NOT NULL AND c.status = 'FREE' THEN now() ELSE c.free_since END`,
    raw(`NOT changed."wasAlive"`),
  );
}
