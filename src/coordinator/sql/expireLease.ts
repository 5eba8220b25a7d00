import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/**
 * An operator expires an active lease now, as the sweeper does at its deadline: it ends EXPIRED, its
 * slot takes its next job in the same statement, and its job is sent again (attempt + 1) or, when it
 * used its attempts, dead-lettered.
 */
export function expireLease(db: Database, leaseId: string, reason: string, settings: JobSettings) {
  return endLeases(db, 'EXPIRED', sql`l.id = ${leaseId}::uuid`, { ...settings, reason: sql`${reason}::text`, assign: settings });
}
