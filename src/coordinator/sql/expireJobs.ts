import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { endLeases } from './endLeases.js';

/** Ends dispatched jobs whose consumer went OFFLINE or let the deadline pass; each then waits for its next attempt. */
export function expireJobs(db: Database) {
  return endLeases(db, 'EXPIRED', sql`l.state = 'DISPATCHED' AND (l.expires_at <= now() OR owner.offline_since IS NOT NULL)`, {
    reason: sql`CASE WHEN owner.offline_since IS NOT NULL THEN 'consumer went offline' ELSE 'processing deadline passed' END`,
  });
}
