import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, isAvailableSql, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/** The constraint that keeps two consumers off one topic. */
export const uniqueTopicConstraint = 'consumers_topic_key';

export interface RegisterRow {
  id: string;
  pool: string;
  topic: string;
  capacity: number;
  labels: string[];
}

/**
 * Inserts the consumer as FREE, or re-registers it: same row, new settings, epoch + 1 (which fences
 * the previous instance). Leases it holds stay counted in in_flight.
 */
export async function registerConsumer(db: Database, row: RegisterRow): Promise<ChangedRow> {
  const [changed] = await db.query<ChangedRow>(sql`
    WITH changed AS (
      INSERT INTO consumers AS c (id, pool, topic, status, capacity, in_flight, labels, epoch,
                                  last_heartbeat_at, free_since, registered_at, updated_at)
      VALUES (${row.id}, ${row.pool}, ${row.topic}, 'FREE', ${row.capacity}, 0, ${row.labels}::text[], 1,
              now(), now(), now(), now())
      ON CONFLICT (id) DO UPDATE SET
        pool = EXCLUDED.pool, topic = EXCLUDED.topic, status = 'FREE', capacity = EXCLUDED.capacity,
        labels = EXCLUDED.labels, epoch = c.epoch + 1, last_heartbeat_at = now(), free_since = now(),
        registered_at = now(), updated_at = now()
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    ${selectAndAnnounce()}`);
  if (!changed) throw new Error('registerConsumer returned no row');
  return changed;
}
