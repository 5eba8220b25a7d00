import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/**
 * An operator releases an active lease: it ends RELEASED and its slot takes its next job in the same
 * statement; its job (if it carries one) waits first in line to be sent again, its attempts as they
 * are (the delivery counted) and never dead-lettered by this. A claim without a job just ends.
 */
export function requeueLease(db: Database, leaseId: string, reason: string, settings: JobSettings) {
  return endLeases(db, 'RELEASED', sql`l.id = ${leaseId}::uuid`, { ...settings, released: 'retry', reason: sql`${reason}::text`, assign: settings });
}
