import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Migration,
  type MigrationTarget,
  applyMigrations,
  createMigration,
  defaultMigrationsDir,
  defaultSchemaPath,
  diffMigrationsAgainstSchema,
  readMigrations,
} from '../src/db/migrate.js';
import { migrationList, withSchemaEngine } from '../src/db/schemaEngine.js';
import { type BackendName, type TestDatabase, backends, createTestDatabase } from './support/databases.js';

const tmpDirs: string[] = [];
afterAll(() => Promise.all(tmpDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A temporary copy of the committed migrations, `keep` of them (all by default). */
async function copyOfMigrations(keep?: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'handoff-migrations-'));
  tmpDirs.push(dir);
  await cp(defaultMigrationsDir, dir, { recursive: true });
  for (const migration of (await readMigrations(dir)).slice(keep)) await rm(path.join(dir, migration.name), { recursive: true });
  return dir;
}

describe('migrations and prisma/schema.prisma', () => {
  it('the committed migrations produce exactly prisma/schema.prisma (else: npm run db:migrate:new <name>)', async () => {
    const { exitCode, script } = await diffMigrationsAgainstSchema();
    expect(script).not.toMatch(/CREATE|ALTER|DROP/);
    expect(exitCode).toBe(0);
  });

  /** A migration as the schema engine wrote it: without the paragraphs written by hand to carry data over (`-- Data: …`). */
  const generatedPart = (sql: string) =>
    sql
      .split(/\n\n/)
      .filter((paragraph) => !paragraph.startsWith('-- Data:'))
      .join('\n\n');

  it('createMigration writes the SQL of what changed: without the last migration, that migration again', async () => {
    const committed = await readMigrations();
    const last = committed.at(-1)!;
    const dir = await copyOfMigrations(committed.length - 1);
    await rm(path.join(dir, 'migration_lock.toml'));

    const created = await createMigration('again', { migrationsDir: dir, now: new Date('2030-01-02T03:04:05Z') });

    expect(created).toBe(path.join(dir, '20300102030405_again'));
    expect(await readFile(path.join(created!, 'migration.sql'), 'utf8')).toBe(generatedPart(last.sql));
    expect(await readFile(path.join(dir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
  });
});

describe.each(backends)('applying migrations on %s', (backend: BackendName) => {
  let migrations: Migration[];
  let database: TestDatabase;
  let pglite: PGlite | undefined;
  let target: MigrationTarget;

  beforeAll(async () => {
    migrations = await readMigrations();
    database = await createTestDatabase(backend);
    if (backend === 'pglite') {
      pglite = await PGlite.create(); // in memory
      target = { kind: 'pglite', pglite };
    } else {
      target = { kind: 'postgres', connectionString: database.databaseUrl! };
    }
  });
  afterAll(async () => {
    await pglite?.close();
    await database?.drop();
  });

  /** Runs one query on the test database (a connection of its own for PostgreSQL). */
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    if (pglite) return (await pglite.query<R>(sql, params)).rows;
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const tables = async (): Promise<string[]> =>
    (await query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).map((row) => row.tablename);

  // The tests below run in order on one database: the first migrates it.
  it('applies every migration once, recording each; a second run applies nothing', async () => {
    const names = migrations.map((migration) => migration.name);
    if (backend === 'postgres') {
      // Two replicas starting together: the advisory lock lets one migrate, the other then finds nothing to do.
      const runs = await Promise.all([applyMigrations(target), applyMigrations(target)]);
      expect(runs.map((run) => run.applied).sort((a, b) => a.length - b.length)).toEqual([[], names]);
    } else {
      expect((await applyMigrations(target)).applied).toEqual(names);
    }
    expect(await tables()).toEqual(['_prisma_migrations', 'api_keys', 'audit_log', 'consumers', 'fairness_keys', 'jobs', 'leases', 'pool_samples', 'pools', 'replicas', 'watchers']);
    const rows = await query<{ migration_name: string; finished: boolean; applied_steps_count: number }>(
      'SELECT migration_name, finished_at IS NOT NULL AS finished, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows).toEqual(names.map((name) => ({ migration_name: name, finished: true, applied_steps_count: 1 })));

    expect((await applyMigrations(target)).applied).toEqual([]);

    if (pglite) {
      expect(pglite.closed).toBe(false); // the server goes on using its instance
    } else {
      // Nothing left behind: no session of ours, no advisory lock (the query runs on a session of its own).
      await expect
        .poll(() =>
          query<{ sessions: number; locks: number }>(
            `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS sessions,
                    (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS locks`,
          ),
        )
        .toEqual([{ sessions: 0, locks: 0 }]);
    }
  });

  // Prisma's engine is driven through PGlite here (its PostgreSQL adapter cannot introspect), so this runs there only.
  if (backend === 'pglite') {
    it('records migrations exactly as Prisma migrate deploy does, so either can follow the other', async () => {
      const schema = { path: defaultSchemaPath, content: await readFile(defaultSchemaPath, 'utf8') };
      const migrationsList = migrationList(defaultMigrationsDir, migrations);
      const filters = { externalTables: [], externalEnums: [] };
      // Prisma's engine finds the database we migrated up to date, every checksum matching.
      await withSchemaEngine({ schema, database: pglite! }, async (engine) => {
        expect(await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters })).toEqual({
          editedMigrationNames: [],
          failedMigrationNames: [],
          hasMigrationsTable: true,
          history: null,
        });
        expect((await engine.applyMigrations({ migrationsList, filters })).appliedMigrationNames).toEqual([]);
      });
      // And the other way: on a database Prisma's engine migrated, there is nothing left for us, and the rows match.
      const byPrisma = await PGlite.create();
      try {
        await withSchemaEngine({ schema, database: byPrisma }, async (engine) => {
          expect((await engine.applyMigrations({ migrationsList, filters })).appliedMigrationNames).toEqual(migrations.map((m) => m.name));
        });
        expect((await applyMigrations({ kind: 'pglite', pglite: byPrisma })).applied).toEqual([]);
        const rowsSql = `SELECT migration_name, checksum, logs, rolled_back_at, applied_steps_count, finished_at >= started_at AS finished
                         FROM "_prisma_migrations" ORDER BY migration_name`;
        expect((await pglite!.query(rowsSql)).rows).toEqual((await byPrisma.query(rowsSql)).rows);
      } finally {
        await byPrisma.close();
      }
    });
  }

  it('a broken migration fails loudly and leaves nothing of itself behind', async () => {
    const dir = await copyOfMigrations();
    const broken = '99999999999999_broken';
    await mkdir(path.join(dir, broken));
    await writeFile(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');

    await expect(applyMigrations(target, dir)).rejects.toThrow(/99999999999999_broken failed: .*no_such_table/);
    expect(await tables()).not.toContain('half_done');
    expect(await query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', [broken])).toEqual([]);

    // Nothing was recorded: once the file is fixed, the next run applies it.
    await writeFile(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    expect((await applyMigrations(target, dir)).applied).toEqual([broken]);
    expect(await tables()).toContain('half_done');
  });

  it('refuses migrations written for another database', async () => {
    const dir = await copyOfMigrations();
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "sqlite"\n');
    await expect(applyMigrations(target, dir)).rejects.toThrow(/not for PostgreSQL/);
  });
});
