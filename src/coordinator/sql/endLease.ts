import type { Database } from '../ports.js';
import { endLeases } from './endLeases.js';
import { type LeaseOwnerCheck, leaseOwnedBy } from './fragments.js';

/** Ends one lease, COMPLETED or RELEASED; `owner` checks, when given, that the caller is its consumer at its current epoch. */
export function endLease(db: Database, state: 'COMPLETED' | 'RELEASED', leaseId: string, owner: LeaseOwnerCheck) {
  return endLeases(db, state, leaseOwnedBy(leaseId, owner), { signOfLife: owner.epoch !== undefined });
}
