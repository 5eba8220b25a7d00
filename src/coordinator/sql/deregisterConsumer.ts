import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/**
 * Deregisters a consumer of the given epoch (any epoch when null: an operator's removal) that holds no
 * lease: it leaves the registry and frees its topic, and its row stays with its leases (their history)
 * until the retention prunes them. Returns nothing when the id is unknown, the epoch is not current,
 * or leases are in flight.
 */
export async function deregisterConsumer(db: Database, id: string, epoch: number | null): Promise<ChangedRow | undefined> {
  const [changed] = await db.query<ChangedRow>(sql`
    WITH changed AS (
      UPDATE consumers c SET deregistered_at = now(), active_topic = NULL, free_since = NULL, updated_at = now()
      WHERE c.id = ${id} AND (${epoch}::int IS NULL OR c.epoch = ${epoch}) AND c.in_flight = 0 AND c.deregistered_at IS NULL
      RETURNING ${consumerColumns('c')}, false AS "slotOpened", true AS removed
    )
    ${selectAndAnnounce()}`);
  return changed;
}
