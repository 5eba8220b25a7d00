import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/** Ends claims whose holder never dispatched within their time to live (the sweeper then fills the freed slots). */
export function expireClaims(db: Database, settings: JobSettings) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'CLAIMED' AND l.expires_at <= now()`, {
    ...settings,
    reason: sql`'claim not dispatched in time'`,
  });
}
