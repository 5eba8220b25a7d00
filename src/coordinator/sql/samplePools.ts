import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * Writes each pool's sample of the last whole interval, once across every replica: the leases claimed
 * and completed in it, how long the jobs first leased in it had waited (median, 99th percentile; a
 * claim that found a consumer free waited 0), and, as of now, the backlog, the waiting producers, the
 * dead letters and the registered consumers by status. Intervals are aligned to the epoch; the one
 * written is the last to have ended at least `graceMs` ago, so leases committed late still count.
 * Does nothing when the interval's samples are there already (another replica wrote them).
 * The pools sampled, when it wrote.
 */
export async function samplePools(db: Database, intervalMs: number, graceMs: number): Promise<string[]> {
  const rows = await db.query<{ pool: string }>(sql`
    WITH bucket AS (
      SELECT to_timestamp((floor((extract(epoch FROM now()) * 1000 - ${graceMs}) / ${intervalMs}) * ${intervalMs} / 1000.0)::float8) AS until
    ), span AS (
      SELECT until - ${intervalMs} * interval '1 millisecond' AS since, until FROM bucket
      WHERE NOT EXISTS (SELECT 1 FROM pool_samples s WHERE s.at = bucket.until)
    ), claimed AS (
      SELECT l.pool, count(*)::int AS claims,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY w.ms) FILTER (WHERE l.attempt = 1) AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY w.ms) FILTER (WHERE l.attempt = 1) AS p99
      FROM span
      JOIN leases l ON l.claimed_at >= span.since AND l.claimed_at < span.until
      LEFT JOIN jobs j ON j.id = l.job_id
      CROSS JOIN LATERAL (SELECT greatest(coalesce(extract(epoch FROM l.claimed_at - j.submitted_at) * 1000, 0), 0)::float8 AS ms) w
      GROUP BY l.pool
    ), completed AS (
      SELECT l.pool, count(*)::int AS completions
      FROM span JOIN leases l ON l.state = 'COMPLETED' AND l.ended_at >= span.since AND l.ended_at < span.until
      GROUP BY l.pool
    ), registry AS (
      SELECT c.pool,
             count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'FREE' AND c.in_flight < c.capacity)::int AS free,
             count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'FREE' AND c.in_flight >= c.capacity)::int AS "full",
             count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'BUSY')::int AS busy,
             count(*) FILTER (WHERE c.offline_since IS NULL AND c.status = 'DRAINING')::int AS draining,
             count(*) FILTER (WHERE c.offline_since IS NOT NULL)::int AS offline,
             sum(c.in_flight)::int AS in_flight, sum(c.capacity)::int AS capacity
      FROM consumers c WHERE c.deregistered_at IS NULL AND EXISTS (SELECT 1 FROM span)
      GROUP BY c.pool
    ), line AS (
      SELECT j.pool, count(*) FILTER (WHERE j.replica_id IS NULL)::int AS backlog,
             count(*) FILTER (WHERE j.replica_id IS NOT NULL)::int AS waiting
      FROM jobs j WHERE j.state = 'PENDING' AND EXISTS (SELECT 1 FROM span)
      GROUP BY j.pool
    ), dead AS (
      SELECT j.pool, count(*)::int AS n FROM jobs j WHERE j.state = 'DEAD_LETTERED' AND EXISTS (SELECT 1 FROM span) GROUP BY j.pool
    ), sampled AS (
      SELECT pool FROM claimed UNION SELECT pool FROM completed UNION SELECT pool FROM registry
      UNION SELECT pool FROM line UNION SELECT pool FROM dead
    )
    INSERT INTO pool_samples (pool, at, interval_ms, claims, completions, wait_p50_ms, wait_p99_ms, backlog, waiting_producers,
                              dead_lettered, free, "full", busy, draining, offline, in_flight, capacity)
    SELECT s.pool, span.until, ${intervalMs}, coalesce(cl.claims, 0), coalesce(co.completions, 0), cl.p50, cl.p99,
           coalesce(line.backlog, 0), coalesce(line.waiting, 0), coalesce(dead.n, 0), coalesce(r.free, 0), coalesce(r."full", 0),
           coalesce(r.busy, 0), coalesce(r.draining, 0), coalesce(r.offline, 0), coalesce(r.in_flight, 0), coalesce(r.capacity, 0)
    FROM sampled s CROSS JOIN span
    LEFT JOIN claimed cl ON cl.pool = s.pool
    LEFT JOIN completed co ON co.pool = s.pool
    LEFT JOIN registry r ON r.pool = s.pool
    LEFT JOIN line ON line.pool = s.pool
    LEFT JOIN dead ON dead.pool = s.pool
    ON CONFLICT (pool, at) DO NOTHING
    RETURNING pool`);
  return rows.map((row) => row.pool);
}
