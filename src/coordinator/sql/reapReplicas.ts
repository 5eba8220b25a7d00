import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/**
 * Replicas not seen for `silentMs` are gone (or `replicaId`, leaving now): their rows go, and the
 * producers that waited on them are cancelled (their subscriptions ended with the replica). How
 * many waits were cancelled.
 */
export async function reapReplicas(db: Database, silentMs: number, leaving?: string): Promise<number> {
  const [row] = await db.query<{ cancelled: number }>(sql`
    WITH gone AS (
      DELETE FROM replicas WHERE seen_at < now() - ${silentMs} * interval '1 millisecond' OR id = ${leaving ?? null}
      RETURNING id
    ), cancelled AS (
      UPDATE jobs SET state = 'CANCELLED', ended_at = now(), end_reason = 'the replica the producer waited on stopped'
      WHERE state = 'PENDING' AND replica_id IS NOT NULL
        AND (replica_id IN (SELECT id FROM gone) OR replica_id NOT IN (SELECT id FROM replicas))
      RETURNING id
    )
    SELECT count(*)::int AS cancelled FROM cancelled`);
  return row?.cancelled ?? 0;
}
