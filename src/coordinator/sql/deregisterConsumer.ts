import { type ChangedRow, type Db, consumerColumns, selectAndAnnounce } from './fragments.js';

/**
 * Removes a consumer of the given epoch that holds no lease (its lease history goes with it).
 * Returns nothing when the id is unknown, the epoch is not current, or leases are in flight.
 */
export async function deregisterConsumer(db: Db, id: string, epoch: number): Promise<ChangedRow | undefined> {
  const [changed] = await db.$queryRaw<ChangedRow[]>`
    WITH changed AS (
      DELETE FROM consumers c WHERE c.id = ${id} AND c.epoch = ${epoch} AND c.in_flight = 0
      RETURNING ${consumerColumns('c')}, false AS "slotOpened", true AS removed
    )
    ${selectAndAnnounce()}`;
  return changed;
}
