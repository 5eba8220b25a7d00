import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/**
 * Ends dispatched jobs whose consumer went OFFLINE or let the deadline pass by more than `graceMs`
 * (how late the replicas could have been to record its extension, see touchReplica); each job then
 * waits first in line for its next attempt (the sweeper then fills the freed slots).
 */
export function expireJobs(db: Database, settings: JobSettings, graceMs = 0) {
  return endLeases(
    db,
    'EXPIRED',
    sql`l.state = 'DISPATCHED' AND (l.expires_at <= now() - ${graceMs}::int * interval '1 millisecond' OR owner.offline_since IS NOT NULL)`,
    {
      ...settings,
      reason: sql`CASE WHEN owner.offline_since IS NOT NULL THEN 'consumer went offline' ELSE 'processing deadline passed' END`,
    },
  );
}
