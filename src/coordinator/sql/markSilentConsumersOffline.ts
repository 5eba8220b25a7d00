import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { updateConsumers } from './updateConsumers.js';

/** Consumers silent for longer than the heartbeat TTL are OFFLINE: never claimed until they beat again. */
export function markSilentConsumersOffline(db: Database, heartbeatTtlMs: number) {
  return updateConsumers(
    db,
    sql`status <> 'OFFLINE' AND last_heartbeat_at < now() - ${heartbeatTtlMs} * interval '1 millisecond'`,
    sql`status = 'OFFLINE', free_since = NULL`,
    raw('true'),
    true,
  );
}
