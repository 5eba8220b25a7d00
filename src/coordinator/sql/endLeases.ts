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
  empty,
  raw,
  sql,
} from './fragments.js';

export type EndedState = 'COMPLETED' | 'RELEASED' | 'EXPIRED' | 'FAILED';

export interface EndOptions {
  /** Why it ended (may read `l` and `owner`). */
  reason?: Sql;
  /** Another data-modifying CTE, `name AS (…),`, that belongs to the same change. */
  alongside?: Sql;
}

/**
 * Ends every active lease matching `where` (which may read the lease as `l` and its consumer as
 * `owner`) and gives the slots back to their consumers, in one statement. A consumer that was full
 * goes to the back of the idle line. Returns one row per ended lease, with its consumer after the change.
 */
export async function endLeases(db: Db, state: EndedState, where: Sql, options: EndOptions = {}): Promise<LeaseRow[]> {
  return db.$queryRaw<LeaseRow[]>`
    WITH ${options.alongside ?? empty} ended AS (
      UPDATE leases l SET state = ${state}::"LeaseState", ended_at = now(), end_reason = ${options.reason ?? raw('NULL')}
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

/** The consumer reports that the job failed: the lease ends and the job waits for its next attempt. */
export function failLease(db: Db, leaseId: string, owner: LeaseOwnerCheck, reason: string) {
  return endLeases(db, 'FAILED', leaseOwnedBy(leaseId, owner), { reason: sql`${reason}` });
}

/** Ends claims whose holder never dispatched within their time to live. */
export function expireClaims(db: Db) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'CLAIMED' AND l.expires_at <= now()`, { reason: sql`'claim not dispatched in time'` });
}

/**
 * Ends dispatched jobs whose consumer went OFFLINE or let the deadline pass; each then waits for
 * its next attempt (see redeliver.ts).
 */
export function expireDispatched(db: Db) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'DISPATCHED' AND (l.expires_at <= now() OR owner.status = 'OFFLINE')`, {
    reason: sql`CASE WHEN owner.status = 'OFFLINE' THEN 'consumer went offline' ELSE 'processing deadline passed' END`,
  });
}
