import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { endLeases } from './endLeases.js';

/** The redelivery could not be produced: its lease ends, and the job waits for the next sweep again. */
export function abandonRedelivery(db: Database, leaseId: string, reason: string) {
  return endLeases(db, 'RELEASED', sql`l.id = ${leaseId}::uuid`, {
    reason: sql`${reason}`,
    alongside: sql`reopened AS (UPDATE leases SET next_lease_id = NULL WHERE next_lease_id = ${leaseId}::uuid RETURNING id),`,
  });
}
