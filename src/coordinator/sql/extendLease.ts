import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import {
  type LeaseOwnerCheck,
  announceChanged,
  consumerColumns,
  consumerRowColumns,
  isActiveLease,
  isAvailableSql,
  leaseColumns,
  leaseOwnedBy,
} from './fragments.js';
import type { LeaseRow } from './rows.js';
import { signOfLife } from './updateConsumers.js';

/**
 * Pushes back the deadline of an active lease, held by `consumerId` at `epoch` when given. A CLAIMED
 * lease the consumer extends has reached it, so it counts as DISPATCHED from then on. With the
 * epoch, it is the consumer's sign of life (announced when it brings the consumer back alive).
 */
export async function extendLease(db: Database, leaseId: string, ms: number, owner: LeaseOwnerCheck): Promise<LeaseRow | undefined> {
  const [row] = await db.query<LeaseRow>(sql`
    WITH l AS (
      UPDATE leases l SET expires_at = now() + ${ms} * interval '1 millisecond', state = 'DISPATCHED',
             dispatched_at = coalesce(l.dispatched_at, now())
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND ${isActiveLease('l')} AND ${leaseOwnedBy(leaseId, owner)}
      RETURNING l.id, l.consumer_id, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason
    ), old AS (
      SELECT c.id, c.offline_since FROM consumers c JOIN l ON c.id = l.consumer_id
    ), changed AS (
      UPDATE consumers c SET ${signOfLife},
             free_since = CASE WHEN old.offline_since IS NOT NULL AND c.status = 'FREE' THEN now() ELSE c.free_since END
      FROM old WHERE c.id = old.id AND ${owner.epoch ?? null}::int IS NOT NULL
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed,
                old.offline_since IS NOT NULL AS "cameBack"
    ), cur AS (
      SELECT ${consumerRowColumns('changed')} FROM changed
      UNION ALL
      SELECT ${consumerColumns('c')} FROM consumers c JOIN l ON c.id = l.consumer_id WHERE NOT EXISTS (SELECT 1 FROM changed)
    )
    SELECT ${consumerRowColumns('cur')}, ${leaseColumns('l')}, ${announceChanged(raw('changed."cameBack"'))}
    FROM l JOIN cur ON cur.id = l.consumer_id LEFT JOIN changed ON changed.id = l.consumer_id`);
  return row;
}
