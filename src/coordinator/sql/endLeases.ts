import { type Sql, empty, raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { announceChanged, consumerColumns, isActiveLease, isAvailableSql, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';

export type EndedState = 'COMPLETED' | 'RELEASED' | 'EXPIRED' | 'FAILED';

export interface EndOptions {
  /** Why it ended (may read `l` and `owner`). */
  reason?: Sql;
  /** Another data-modifying CTE, `name AS (…),`, that belongs to the same change. */
  alongside?: Sql;
  /** The consumer itself ends it, at its current epoch: a sign of life. */
  signOfLife?: boolean;
}

/**
 * The statement behind every end of a lease: ends every active lease matching `where` (which may
 * read the lease as `l` and its consumer as `owner`) and gives the slots back to their consumers. A
 * consumer that was full goes to the back of the idle line. One row per ended lease, with its
 * consumer after the change.
 */
export function endLeases(db: Database, state: EndedState, where: Sql, options: EndOptions = {}): Promise<LeaseRow[]> {
  return db.query<LeaseRow>(sql`
    WITH ${options.alongside ?? empty} ended AS (
      UPDATE leases l SET state = ${state}::"LeaseState", ended_at = now(), end_reason = ${options.reason ?? raw('NULL')}
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND ${isActiveLease('l')} AND ${where}
      RETURNING l.id, l.consumer_id, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason
    ), counts AS (
      SELECT consumer_id, count(*)::int AS n FROM ended GROUP BY consumer_id
    ), old AS (
      SELECT c.id, c.status, c.in_flight, c.capacity, c.offline_since FROM consumers c
      WHERE c.id IN (SELECT consumer_id FROM counts) FOR UPDATE
    ), changed AS (
      UPDATE consumers c
      SET in_flight = c.in_flight - counts.n,
          free_since = CASE WHEN (old.in_flight >= old.capacity OR ${options.signOfLife ? raw('old.offline_since IS NOT NULL') : raw('false')})
                            AND c.status = 'FREE' THEN now() ELSE c.free_since END,
          ${options.signOfLife ? raw('last_heartbeat_at = now(), offline_since = NULL,') : empty}
          updated_at = now()
      FROM old JOIN counts ON counts.consumer_id = old.id
      WHERE c.id = old.id
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    SELECT changed.*, ${leaseColumns('ended')}, ${announceChanged()}
    FROM ended JOIN changed ON changed.id = ended.consumer_id`);
}
