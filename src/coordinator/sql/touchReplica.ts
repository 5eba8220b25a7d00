import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** This replica is running: its row says so, refreshed on every sweep. */
export async function touchReplica(db: Database, replicaId: string): Promise<void> {
  await db.query(sql`
    INSERT INTO replicas (id, started_at, seen_at) VALUES (${replicaId}, now(), now())
    ON CONFLICT (id) DO UPDATE SET seen_at = now()
    RETURNING id`);
}
