import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationTarget, applyMigrations, readMigrations } from '../src/db/migrate.js';
import { diffMigrationsAgainstSchema } from '../src/db/schemaDiff.js';
import { type BackendName, type TestDatabase, backends, createTestDatabase } from './support/databases.js';

describe('migrations', () => {
  it('the committed migrations produce exactly prisma/schema.prisma (else: npm run db:migrate:new <name>)', async () => {
    const { exitCode, script } = await diffMigrationsAgainstSchema();
    expect(script).not.toMatch(/CREATE|ALTER|DROP/);
    expect(exitCode).toBe(0);
  });
});

describe.each(backends)('applying migrations on %s', (backend: BackendName) => {
  let database: TestDatabase;
  let pglite: PGlite | undefined;
  let target: MigrationTarget;
  let brokenDir: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    if (backend === 'pglite') {
      pglite = new PGlite();
      target = { kind: 'pglite', pglite };
    } else {
      target = { kind: 'postgres', connectionString: database.databaseUrl! };
    }
    brokenDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-broken-migrations-'));
  });
  afterAll(async () => {
    await pglite?.close();
    await database?.drop();
    await rm(brokenDir, { recursive: true, force: true });
  });

  const tables = async (): Promise<string[]> => {
    const sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename";
    if (pglite) return (await pglite.query<{ tablename: string }>(sql)).rows.map((row) => row.tablename);
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      return (await client.query<{ tablename: string }>(sql)).rows.map((row) => row.tablename);
    } finally {
      await client.end();
    }
  };

  it('applies every migration once, recording each as prisma migrate deploy does', async () => {
    const names = (await readMigrations()).map((migration) => migration.name);
    expect((await applyMigrations(target)).applied).toEqual(names);
    expect(await tables()).toEqual(['_prisma_migrations', 'api_keys', 'consumers', 'leases']);
    expect((await applyMigrations(target)).applied).toEqual([]);
  });

  it('a broken migration fails loudly and leaves nothing of itself behind', async () => {
    for (const migration of await readMigrations()) {
      await mkdir(path.join(brokenDir, migration.name), { recursive: true });
      await writeFile(path.join(brokenDir, migration.name, 'migration.sql'), migration.sql);
    }
    const broken = '99999999999999_broken';
    await mkdir(path.join(brokenDir, broken));
    await writeFile(path.join(brokenDir, broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    await expect(applyMigrations(target, brokenDir)).rejects.toThrow(/99999999999999_broken failed/);
    expect(await tables()).not.toContain('half_done');
    // nothing was recorded: fixing the file and running again applies it
    await writeFile(path.join(brokenDir, broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    expect((await applyMigrations(target, brokenDir)).applied).toEqual([broken]);
  });
});
