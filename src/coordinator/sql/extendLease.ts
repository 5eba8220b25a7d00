import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type LeaseOwnerCheck, consumerColumns, isActiveLease, leaseColumns, leaseOwnedBy } from './fragments.js';
import type { LeaseRow } from './rows.js';

/**
 * Pushes back the deadline of an active lease, held by `consumerId` at `epoch` when given. A CLAIMED
 * lease the consumer extends has reached it, so it counts as DISPATCHED from then on.
 */
export async function extendLease(db: Database, leaseId: string, ms: number, owner: LeaseOwnerCheck): Promise<LeaseRow | undefined> {
  const [row] = await db.query<LeaseRow>(sql`
    WITH l AS (
      UPDATE leases l SET expires_at = now() + ${ms} * interval '1 millisecond', state = 'DISPATCHED',
             dispatched_at = coalesce(l.dispatched_at, now())
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND ${isActiveLease('l')} AND ${leaseOwnedBy(leaseId, owner)}
      RETURNING l.id, l.consumer_id, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason
    )
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')} FROM l JOIN consumers c ON c.id = l.consumer_id`);
  return row;
}
