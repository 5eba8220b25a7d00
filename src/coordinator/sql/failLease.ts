import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';
import { type LeaseOwnerCheck, leaseOwnedBy } from './fragments.js';

/**
 * The consumer reports that the job failed: the lease ends, the job waits first in line for its next
 * attempt (or is dead-lettered), and the slot takes its next job in the same statement.
 */
export function failLease(db: Database, leaseId: string, owner: LeaseOwnerCheck, reason: string, settings: JobSettings) {
  return endLeases(db, 'FAILED', leaseOwnedBy(leaseId, owner), {
    ...settings,
    reason: sql`${reason}`,
    signOfLife: owner.epoch !== undefined,
    assign: settings,
  });
}
