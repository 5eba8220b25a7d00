import {
  type Db,
  type LeaseOwnerCheck,
  type LeaseRow,
  type Sql,
  announceChanged,
  consumerColumns,
  isAvailableSql,
  leaseColumns,
  leaseOwnedBy,
  sql,
} from './fragments.js';

export type EndedState = 'COMPLETED' | 'RELEASED' | 'EXPIRED';

/**
 * Ends every active lease matching `where` (which may read the lease as `l` and its consumer as
 * `owner`) and gives the slots back to their consumers, in one statement. A consumer that was full
 * goes to the back of the idle line. Returns one row per ended lease, with its consumer after the change.
 */
export async function endLeases(db: Db, state: EndedState, where: Sql): Promise<LeaseRow[]> {
  return db.$queryRaw<LeaseRow[]>`
    WITH ended AS (
      UPDATE leases l SET state = ${state}::"LeaseState", ended_at = now()
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND l.state IN ('CLAIMED', 'DISPATCHED') AND ${where}
      RETURNING l.*
    ), counts AS (
      SELECT consumer_id, count(*)::int AS n FROM ended GROUP BY consumer_id
    ), old AS (
      SELECT c.id, c.status, c.in_flight, c.capacity FROM consumers c
      WHERE c.id IN (SELECT consumer_id FROM counts) FOR UPDATE
    ), changed AS (
      UPDATE consumers c
      SET in_flight = c.in_flight - counts.n,
          free_since = CASE WHEN old.in_flight >= old.capacity AND c.status = 'FREE' THEN now() ELSE c.free_since END,
          updated_at = now()
      FROM old JOIN counts ON counts.consumer_id = old.id
      WHERE c.id = old.id
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    SELECT changed.*, ${leaseColumns('ended')}, ${announceChanged()}
    FROM ended JOIN changed ON changed.id = ended.consumer_id`;
}

/** Ends one lease; `owner` checks, when given, that the caller is its consumer at its current epoch. */
export function endLease(db: Db, state: 'COMPLETED' | 'RELEASED', leaseId: string, owner: LeaseOwnerCheck) {
  return endLeases(db, state, leaseOwnedBy(leaseId, owner));
}

/** Ends claims whose holder never dispatched within their time to live. */
export function expireClaims(db: Db) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'CLAIMED' AND l.expires_at <= now()`);
}
