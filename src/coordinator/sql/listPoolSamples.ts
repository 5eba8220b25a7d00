import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

export interface PoolSampleRow {
  pool: string;
  at: Date;
  intervalMs: number;
  claims: number;
  completions: number;
  waitP50Ms: number | null;
  waitP99Ms: number | null;
  backlog: number;
  waitingProducers: number;
  deadLettered: number;
  free: number;
  full: number;
  busy: number;
  draining: number;
  offline: number;
  inFlight: number;
  capacity: number;
}

/** The samples of the last `windowMs` (of one pool, or all), after `since` when given, by pool then time. */
export function listPoolSamples(db: Database, listing: { pool?: string | undefined; since?: Date | undefined; windowMs: number }): Promise<PoolSampleRow[]> {
  const pool = listing.pool ?? null;
  const since = listing.since ?? null;
  return db.query<PoolSampleRow>(sql`
    SELECT pool, at, interval_ms AS "intervalMs", claims, completions, wait_p50_ms AS "waitP50Ms", wait_p99_ms AS "waitP99Ms",
           backlog, waiting_producers AS "waitingProducers", dead_lettered AS "deadLettered", free, "full", busy, draining, offline,
           in_flight AS "inFlight", capacity
    FROM pool_samples
    WHERE at > now() - ${listing.windowMs} * interval '1 millisecond'
      AND (${pool}::text IS NULL OR pool = ${pool})
      AND (${since}::timestamptz IS NULL OR at > ${since}::timestamptz)
    ORDER BY pool, at`);
}
