import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { alive, updateConsumers } from './updateConsumers.js';

/**
 * A replica vouches for the consumers whose sessions answered its pings: one statement for all of
 * them, each at its epoch. They were heard at most `heardMsAgo` ago, so that is what is recorded (a
 * later sign of life is kept). One judged OFFLINE comes back alive (announced; FREE goes to the back of
 * the idle line). Rows another statement holds are skipped: the next beat vouches for them.
 */
export function vouchForConsumers(db: Database, consumers: readonly { id: string; epoch: number }[], heardMsAgo: number) {
  return updateConsumers(
    db,
    sql`(id, epoch) IN (SELECT * FROM unnest(${consumers.map((c) => c.id)}::text[], ${consumers.map((c) => c.epoch)}::int[]))`,
    sql`${alive}, last_heartbeat_at = greatest(c.last_heartbeat_at, now() - ${heardMsAgo}::int * interval '1 millisecond'),
        free_since = CASE WHEN old.offline_since IS NOT NULL AND c.status = 'FREE' THEN now() ELSE c.free_since END`,
    raw(`NOT changed."wasAlive"`),
    true,
  );
}
