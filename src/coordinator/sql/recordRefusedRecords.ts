import { sql } from '../../sql/statement.js';
import type { Database, JobMessage } from '../ports.js';

/** An intake record that cannot be a job: kept with the reason, then written to the pool's dead-letter topic. */
export interface RefusedRecord {
  id: string;
  message: JobMessage;
  reason: string;
  source: { topic: string; partition: number; offset: string };
}

/**
 * Records refused intake records as jobs that are DEAD_LETTERING already: the sweeper writes them to
 * the pool's dead-letter topic with their reason, like a job out of attempts. A record recorded
 * before (read again after a crash) is not recorded twice.
 */
export async function recordRefusedRecords(db: Database, pool: string, records: readonly RefusedRecord[]): Promise<void> {
  const column = <T>(pick: (record: RefusedRecord) => T) => records.map(pick);
  await db.query(sql`
    INSERT INTO jobs (id, pool, state, fair_tag, sort_key, message_key, message_value, message_headers, end_reason,
                      source_topic, source_partition, source_offset)
    SELECT r.id, ${pool}, 'DEAD_LETTERING', 0, 0, r.message_key, r.message_value, r.message_headers::jsonb, r.reason,
           r.source_topic, r.source_partition, r.source_offset
    FROM unnest(
      ${column((r) => r.id)}::uuid[], ${column((r) => r.message.key)}::text[], ${column((r) => r.message.value)}::text[],
      ${column((r) => JSON.stringify(r.message.headers))}::text[], ${column((r) => r.reason)}::text[],
      ${column((r) => r.source.topic)}::text[], ${column((r) => r.source.partition)}::int[], ${column((r) => r.source.offset)}::bigint[]
    ) AS r(id, message_key, message_value, message_headers, reason, source_topic, source_partition, source_offset)
    ON CONFLICT DO NOTHING
    RETURNING id`);
}
