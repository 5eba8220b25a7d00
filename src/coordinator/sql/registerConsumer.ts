import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { SettableStatus } from '../types.js';
import { consumerColumns, isAvailableSql, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/** The index that keeps two registered consumers off one topic. */
export const uniqueTopicConstraint = 'consumers_active_topic_key';

export interface RegisterRow {
  id: string;
  pool: string;
  topic: string;
  status: SettableStatus;
  capacity: number;
  labels: string[];
}

/**
 * Inserts the consumer with the status it declares (alive), or re-registers it — a deregistered one
 * too: same row, new settings, epoch + 1 (which fences the previous instance). Leases it holds stay
 * counted in in_flight, so a capacity below them is refused, and so is a move to another pool while
 * it holds any (they were claimed in its pool, by that pool's producers): nothing is returned then
 * (nor when it was not registered with that id, which cannot happen: the insert returns it).
 */
export async function registerConsumer(db: Database, row: RegisterRow): Promise<ChangedRow | undefined> {
  const [changed] = await db.query<ChangedRow>(sql`
    WITH changed AS (
      INSERT INTO consumers AS c (id, pool, topic, active_topic, status, capacity, in_flight, labels, epoch,
                                  last_heartbeat_at, free_since, registered_at, updated_at)
      VALUES (${row.id}, ${row.pool}, ${row.topic}, ${row.topic}, ${row.status}::"ConsumerStatus", ${row.capacity}, 0,
              ${row.labels}::text[], 1, now(), CASE WHEN ${row.status} = 'FREE' THEN now() END, now(), now())
      ON CONFLICT (id) DO UPDATE SET
        pool = EXCLUDED.pool, topic = EXCLUDED.topic, active_topic = EXCLUDED.topic, status = EXCLUDED.status,
        capacity = EXCLUDED.capacity, labels = EXCLUDED.labels, epoch = c.epoch + 1, last_heartbeat_at = now(),
        offline_since = NULL, free_since = EXCLUDED.free_since, registered_at = now(), deregistered_at = NULL,
        updated_at = now()
      WHERE c.in_flight <= EXCLUDED.capacity AND (c.pool = EXCLUDED.pool OR c.in_flight = 0)
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    ${selectAndAnnounce()}`);
  return changed;
}
