import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

/** This replica listens for a pool's consumer changes ('' for every pool's): statements announce them from now on. */
export async function watch(db: Database, replicaId: string, pool: string): Promise<void> {
  await db.query(sql`
    INSERT INTO watchers (replica_id, pool) VALUES (${replicaId}, ${pool}) ON CONFLICT (replica_id, pool) DO NOTHING RETURNING pool`);
}

/** This replica no longer listens for the pool's changes. */
export async function unwatch(db: Database, replicaId: string, pool: string): Promise<void> {
  await db.query(sql`DELETE FROM watchers WHERE replica_id = ${replicaId} AND pool = ${pool} RETURNING pool`);
}

/** Listeners of replicas that are gone (no row in replicas any more): nobody hears them. */
export async function forgetGoneWatchers(db: Database): Promise<void> {
  await db.query(sql`DELETE FROM watchers WHERE replica_id NOT IN (SELECT id FROM replicas) RETURNING pool`);
}
