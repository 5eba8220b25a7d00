import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/**
 * Removes a consumer of the given epoch that holds no lease (its lease history goes with it).
 * Returns nothing when the id is unknown, the epoch is not current, or leases are in flight.
 */
export async function deregisterConsumer(db: Database, id: string, epoch: number): Promise<ChangedRow | undefined> {
  const [changed] = await db.query<ChangedRow>(sql`
    WITH changed AS (
      DELETE FROM consumers c WHERE c.id = ${id} AND c.epoch = ${epoch} AND c.in_flight = 0
      RETURNING ${consumerColumns('c')}, false AS "slotOpened", true AS removed
    )
    ${selectAndAnnounce()}`);
  return changed;
}
