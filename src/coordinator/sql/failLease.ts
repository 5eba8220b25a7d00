import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { endLeases } from './endLeases.js';
import { type LeaseOwnerCheck, leaseOwnedBy } from './fragments.js';

/** The consumer reports that the job failed: the lease ends and the job waits for its next attempt. */
export function failLease(db: Database, leaseId: string, owner: LeaseOwnerCheck, reason: string) {
  return endLeases(db, 'FAILED', leaseOwnedBy(leaseId, owner), { reason: sql`${reason}`, signOfLife: owner.epoch !== undefined });
}
