import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { updateConsumers } from './updateConsumers.js';

/**
 * Consumers with no sign of life for longer than the heartbeat TTL are judged OFFLINE: never claimed
 * until they show life again. What they declared is kept.
 */
export function markSilentConsumersOffline(db: Database, heartbeatTtlMs: number) {
  return updateConsumers(
    db,
    sql`offline_since IS NULL AND last_heartbeat_at < now() - ${heartbeatTtlMs} * interval '1 millisecond'`,
    raw(`offline_since = now(), free_since = NULL`),
    raw('true'),
    true,
  );
}
