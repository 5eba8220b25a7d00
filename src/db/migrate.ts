// Migrations: plain SQL files in prisma/migrations/<timestamp>_<name>/migration.sql (Prisma's layout).
// Applying them needs no Prisma engine: each pending file runs in its own transaction and is recorded
// in _prisma_migrations exactly as `prisma migrate deploy` records it, under the same advisory lock,
// so teams with Prisma's native CLI can keep using it on the same database.
import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type MigrationTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; connectionString: string };

export interface Migration {
  name: string;
  sql: string;
}

export const defaultMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Prisma migrate's own lock key: two replicas (or a replica and the CLI) never migrate at once. */
const migrateLockKey = 72707369;

const createMigrationsTable = `
  CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"            VARCHAR(64) NOT NULL,
    "finished_at"         TIMESTAMPTZ,
    "migration_name"      VARCHAR(255) NOT NULL,
    "logs"                TEXT,
    "rolled_back_at"      TIMESTAMPTZ,
    "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`;

/** The migration directories in order, with their SQL. */
export async function readMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(path.join(dir, name, 'migration.sql'), 'utf8') })));
}

interface Connection {
  /** Runs a script of one or more statements. */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

async function connect(target: MigrationTarget): Promise<Connection> {
  if (target.kind === 'pglite') {
    const { pglite } = target;
    return {
      exec: async (sql) => void (await pglite.exec(sql)),
      query: async <R>(sql: string, params: unknown[]) => (await pglite.query<R>(sql, params)).rows,
      close: async () => {}, // the caller keeps using its PGlite
    };
  }
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  return {
    exec: async (sql) => void (await client.query(sql)),
    query: async <R>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as R[],
    close: () => client.end(),
  };
}

/** Applies pending migrations; returns the names applied. A failing migration leaves nothing behind and throws. */
export async function applyMigrations(target: MigrationTarget, dir = defaultMigrationsDir): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(dir);
  const db = await connect(target);
  try {
    if (target.kind === 'postgres') await db.query('SELECT pg_advisory_lock($1)', [migrateLockKey]);
    await db.exec(createMigrationsTable);
    const recorded = await db.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"',
      [],
    );
    const failed = recorded.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new Error(`migration ${failed.migration_name} failed earlier and was not rolled back; resolve it before starting Handoff`);
    }
    const done = new Set(recorded.filter((row) => row.rolled_back_at === null).map((row) => row.migration_name));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await db.exec('BEGIN');
      try {
        await db.exec(migration.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), createHash('sha256').update(migration.sql).digest('hex'), migration.name],
        );
        await db.exec('COMMIT');
      } catch (error) {
        await db.exec('ROLLBACK');
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.name);
    }
    return { applied };
  } finally {
    if (target.kind === 'postgres') await db.query('SELECT pg_advisory_unlock($1)', [migrateLockKey]);
    await db.close();
  }
}
