import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { updateConsumers } from './updateConsumers.js';

/**
 * Consumers with no sign of life for longer than the heartbeat TTL plus `graceMs` (how late the
 * replicas could have been to hear them, see touchReplica) are judged OFFLINE: never claimed until
 * they show life again. What they declared is kept; the verdict is counted.
 */
export function markSilentConsumersOffline(db: Database, heartbeatTtlMs: number, graceMs = 0) {
  return updateConsumers(
    db,
    sql`offline_since IS NULL AND last_heartbeat_at < now() - (${heartbeatTtlMs}::int + ${graceMs}::int) * interval '1 millisecond'`,
    raw(`offline_since = now(), free_since = NULL, offline_verdicts = c.offline_verdicts + 1`),
    raw('true'),
    true,
  );
}
