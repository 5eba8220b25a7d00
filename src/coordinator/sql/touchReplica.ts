import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * This replica is running: its row says so, refreshed on every sweep, with the worst lag it measured
 * over the last heartbeat TTL. Returns how much longer than the TTL a consumer must be silent before
 * anyone judges it OFFLINE: the largest lag any replica published, where a replica late to refresh
 * its row counts as lagging by its silence (it may be stopped, holding heartbeats it has not
 * recorded yet) until it is reaped.
 */
export async function touchReplica(db: Database, replicaId: string, lagMs = 0, sweepIntervalMs = 0): Promise<number> {
  const [row] = await db.query<{ graceMs: number }>(sql`
    WITH me AS (
      INSERT INTO replicas (id, started_at, seen_at, lag_ms) VALUES (${replicaId}, now(), now(), ${lagMs})
      ON CONFLICT (id) DO UPDATE SET seen_at = now(), lag_ms = EXCLUDED.lag_ms
      RETURNING id
    )
    SELECT greatest(${lagMs}::int, coalesce(max(greatest(
             r.lag_ms::float8,
             extract(epoch FROM now() - r.seen_at)::float8 * 1000 - ${sweepIntervalMs}::float8
           )), 0))::int AS "graceMs"
    FROM replicas r WHERE r.id <> ${replicaId}`);
  return row?.graceMs ?? lagMs;
}
