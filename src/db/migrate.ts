// Migrations: plain SQL files in prisma/migrations/<timestamp>_<name>/migration.sql (Prisma's layout).
//
// Applying them needs no Prisma engine: each pending file runs in its own transaction and is recorded
// in _prisma_migrations as `prisma migrate deploy` records it (same table, checksum and row), under
// the same advisory lock, so teams with Prisma's native CLI can keep using it on the same database
// (test/migrations.test.ts checks this against Prisma's engine). Server start runs this, so it stays
// small: no wasm to load, no engine connections, locks or timers left behind.
//
// Writing a migration and the drift check need Prisma's schema engine (its diff); it runs as
// WebAssembly in schemaEngine.ts, imported only when one of those is called.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import type { Config } from '../config.js';
import {
  type Migration,
  checkLockfile,
  defaultMigrationsDir,
  defaultSchemaPath,
  lockfileContent,
  lockfileName,
  readMigrations,
} from './migrationFiles.js';

export { type Migration, defaultMigrationsDir, defaultSchemaPath, readMigrations };

export type MigrationTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; connectionString: string };

/** Prisma migrate's own lock key: two replicas (or a replica and the CLI) never migrate at once. */
const migrateLockKey = 72707369;

// Prisma's definition of the table, so either tool can create it and the other read it.
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

/** PGlite keeps its files here, under the data directory. */
export const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite');

/**
 * Starts the embedded database in the data directory, as the server and `handoff migrate` both open
 * it: PGlite's own start parameters, with its buffer cache sized as configured (PGlite's default is 128 MB).
 */
export async function startPglite(config: Pick<Config, 'dataDir' | 'pgliteBuffersMb'>): Promise<PGlite> {
  const dataDir = pgliteDir(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  return PGlite.create(dataDir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${config.pgliteBuffersMb}MB`] });
}

/**
 * Applies pending migrations to the database the server would open with this config (DATABASE_URL,
 * else the PGlite in the data directory): `handoff migrate` and `npm run db:migrate`. Says what it did.
 */
export async function migrateConfiguredDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'pgliteBuffersMb'>): Promise<string> {
  if (config.databaseUrl) {
    const { applied } = await applyMigrations({ kind: 'postgres', connectionString: config.databaseUrl });
    return applied.length ? `applied ${applied.join(', ')}` : 'no pending migration';
  }
  const dataDir = pgliteDir(config.dataDir);
  const pglite = await startPglite(config);
  try {
    const { applied } = await applyMigrations({ kind: 'pglite', pglite });
    return applied.length ? `applied ${applied.join(', ')} to ${dataDir}` : `no pending migration in ${dataDir}`;
  } finally {
    await pglite.close();
  }
}



interface Queryable {
  /** Runs a script of one or more statements, sent as one string (simple query protocol). */
  exec(sql: string): Promise<void>;
  query<R>(sql: string, params: unknown[]): Promise<R[]>;
}

interface Connection extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction(work: (tx: Queryable) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

function pgliteQueryable(db: PGlite | Transaction): Queryable {
  return {
    exec: async (sql) => void (await db.exec(sql)),
    query: async <R>(sql: string, params: unknown[]) => (await db.query<R>(sql, params)).rows,
  };
}

async function connect(target: MigrationTarget): Promise<Connection> {
  if (target.kind === 'pglite') {
    const { pglite } = target;
    return {
      ...pgliteQueryable(pglite),
      // PGlite's transaction holds the instance's lock throughout, so no other user of it can slip
      // a query into the migration's transaction.
      transaction: async (work) => void (await pglite.transaction((tx) => work(pgliteQueryable(tx)))),
      close: async () => {}, // the caller keeps using its PGlite
    };
  }
  // One connection: the advisory lock, the transactions and the scripts all run on it.
  const client = new pg.Client({ connectionString: target.connectionString });
  // Without a listener, a connection lost mid-migration would crash the process (an unhandled 'error'
  // event). Kept to explain the failure of the next query, which may only say the client is closed.
  let lost: Error | undefined;
  client.on('error', (error) => {
    lost = error;
  });
  const explained = (error: unknown): unknown =>
    lost && error !== lost ? new Error(`${(error as Error).message} (connection lost: ${lost.message})`, { cause: lost }) : error;
  const queryable: Queryable = {
    exec: (sql) => client.query(sql).then(() => undefined, (error: unknown) => Promise.reject(explained(error))),
    query: <R>(sql: string, params: unknown[]) =>
      client.query(sql, params).then((result) => result.rows as R[], (error: unknown) => Promise.reject(explained(error))),
  };
  await client.connect();
  return {
    ...queryable,
    async transaction(work) {
      await queryable.exec('BEGIN');
      try {
        await work(queryable);
      } catch (error) {
        try {
          await queryable.exec('ROLLBACK');
        } catch (rollbackError) {
          throw new AggregateError([error, rollbackError], `${(error as Error).message} (and ROLLBACK failed: ${(rollbackError as Error).message})`);
        }
        throw error;
      }
      await queryable.exec('COMMIT');
    },
    // Ending the session also releases its advisory lock, whether or not the migrations succeeded.
    close: () => client.end(),
  };
}

/**
 * Applies the pending migrations of `migrationsDir` to `target`; returns the names applied, in order.
 * Idempotent. A failing migration rolls back whole (nothing of it stays, nothing is recorded) and
 * throws; those before it stay applied. For PGlite, the caller's instance stays open.
 */
export async function applyMigrations(target: MigrationTarget, migrationsDir = defaultMigrationsDir): Promise<{ applied: string[] }> {
  await checkLockfile(migrationsDir);
  const migrations = await readMigrations(migrationsDir);
  const db = await connect(target);
  try {
    // A PGlite instance is one connection, its data directory one process's: nothing to lock against.
    if (target.kind === 'postgres') await db.query('SELECT pg_advisory_lock($1)', [migrateLockKey]);
    return await applyPending(db, migrations);
  } finally {
    await db.close();
  }
}

async function applyPending(db: Connection, migrations: Migration[]): Promise<{ applied: string[] }> {
  await db.exec(createMigrationsTable);
  const recorded = await db.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    'SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"',
    [],
  );
  // Prisma's P3009: a migration that Prisma's CLI left failed must be resolved by hand first.
  const failed = recorded.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `migration ${failed.migration_name} failed earlier and is recorded so in _prisma_migrations: repair the database and mark it resolved (prisma migrate resolve) first`,
    );
  }
  const done = new Set(recorded.filter((row) => row.rolled_back_at === null).map((row) => row.migration_name));
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    try {
      await db.transaction(async (tx) => {
        // Prisma's steps: a started row, the script, then finished with one applied step.
        const id = randomUUID();
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, $3, clock_timestamp(), 0)`,
          [id, createHash('sha256').update(migration.sql).digest('hex'), migration.name],
        );
        // One string, so statements with semicolons inside (function bodies, literals) stay whole.
        await tx.exec(migration.sql);
        await tx.query(
          'UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
          [id],
        );
      });
    } catch (error) {
      throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
    applied.push(migration.name);
  }
  return { applied };
}

export interface SchemaFiles {
  /** This package's prisma/migrations by default. */
  migrationsDir?: string;
  /** This package's prisma/schema.prisma by default. */
  schemaPath?: string;
}

/**
 * The drift check: the SQL that takes a database migrated by the committed migrations to
 * prisma/schema.prisma, with the engine's exit code (0 when they match, 2 when there are steps).
 * The migrations are replayed on a shadow in-memory PGlite.
 */
export async function diffMigrationsAgainstSchema(files: SchemaFiles = {}): Promise<{ exitCode: number; script: string }> {
  const migrationsDir = files.migrationsDir ?? defaultMigrationsDir;
  const schemaPath = files.schemaPath ?? defaultSchemaPath;
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  let migrations: Migration[];
  try {
    migrations = await readMigrations(migrationsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    migrations = []; // no migrations directory yet: the first migration creates everything
  }
  const { migrationList, withSchemaEngine } = await import('./schemaEngine.js');
  return withSchemaEngine({ schema }, async (engine) => {
    const result = await engine.diff({
      from: migrations.length === 0 ? { tag: 'empty' } : { tag: 'migrations', ...migrationList(migrationsDir, migrations) },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    return { exitCode: result.exitCode, script: result.stdout ?? '' };
  });
}

/** yyyyMMddHHmmss in UTC, Prisma's migration name prefix. */
function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

/**
 * Writes `<migrationsDir>/<yyyyMMddHHmmss>_<name>/migration.sql` with the SQL for what changed in the
 * schema since the last migration (and migration_lock.toml when missing). Returns the new directory,
 * or null when the schema matches the migrations and there is nothing to write.
 */
export async function createMigration(name: string, files: SchemaFiles & { now?: Date } = {}): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name ${JSON.stringify(name)}: use lowercase letters, digits and _`);
  const migrationsDir = files.migrationsDir ?? defaultMigrationsDir;
  const { exitCode, script } = await diffMigrationsAgainstSchema({ migrationsDir, schemaPath: files.schemaPath });
  if (exitCode === 0) return null;
  if (exitCode !== 2) throw new Error(`Prisma's schema engine ended its diff with exit code ${exitCode}:\n${script}`);
  const dir = path.join(migrationsDir, `${migrationTimestamp(files.now ?? new Date())}_${name}`);
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(dir); // not recursive: fails rather than overwrite a migration made in the same second
  await writeFile(path.join(dir, 'migration.sql'), script);
  try {
    await writeFile(path.join(migrationsDir, lockfileName), lockfileContent, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // an existing lockfile stays as it is
  }
  return dir;
}
