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
