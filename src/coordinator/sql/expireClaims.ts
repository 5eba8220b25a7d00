import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { endLeases } from './endLeases.js';

/** Ends claims whose holder never dispatched within their time to live. */
export function expireClaims(db: Database) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'CLAIMED' AND l.expires_at <= now()`, { reason: sql`'claim not dispatched in time'` });
}
