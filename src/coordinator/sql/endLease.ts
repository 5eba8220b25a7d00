import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';
import { type LeaseOwnerCheck, leaseOwnedBy } from './fragments.js';

/**
 * Ends one lease, COMPLETED or RELEASED (by its producer: the job, if any, is cancelled), and the
 * slot takes its next job in the same statement. `owner` checks, when given, that the caller is its
 * consumer at its current epoch (then it is also the consumer's sign of life).
 */
export function endLease(db: Database, state: 'COMPLETED' | 'RELEASED', leaseId: string, owner: LeaseOwnerCheck, settings: JobSettings) {
  return endLeases(db, state, leaseOwnedBy(leaseId, owner), { ...settings, signOfLife: owner.epoch !== undefined, assign: settings });
}

/** A lease and who says they hold it. */
export interface OwnedLease {
  leaseId: string;
  owner: LeaseOwnerCheck;
}

/**
 * Completes many leases in one statement, each checked against its own owner, where no job waits in
 * its pool's line: a slot that opens there stays free for the next claim, as endLease would leave it.
 * A lease whose pool has a line is left active, for endLease (its slot must take the next job in the
 * statement that frees it), and so is one whose owner does not match or that is not active (endLease
 * says precisely why). `signOfLife`: every lease's owner came with its epoch. One row per completed lease.
 */
export function completeLeasesWithoutLine(db: Database, leases: readonly OwnedLease[], signOfLife: boolean, settings: JobSettings) {
  const ids = leases.map((lease) => lease.leaseId);
  const where = sql`
    l.id = ANY(${ids}::uuid[])
    AND EXISTS (
      SELECT 1 FROM unnest(${ids}::uuid[], ${leases.map((lease) => lease.owner.consumerId ?? null)}::text[],
                           ${leases.map((lease) => lease.owner.epoch ?? null)}::int[]) AS asked(id, consumer_id, epoch)
      WHERE asked.id = l.id AND (asked.consumer_id IS NULL OR asked.consumer_id = l.consumer_id)
        AND (asked.epoch IS NULL OR asked.epoch = owner.epoch))
    AND NOT EXISTS (
      SELECT 1 FROM jobs j WHERE j.pool = l.pool AND j.state = 'PENDING' AND (j.replica_id IS NOT NULL OR ${settings.produces}))`;
  return endLeases(db, 'COMPLETED', where, { ...settings, signOfLife });
}
