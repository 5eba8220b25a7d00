// The two real backends every database test runs against: PGlite in a fresh data directory, and a
// fresh database on the PostgreSQL server (TEST_POSTGRES_URL, default postgres@127.0.0.1:5432).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/db/database.js';
import type { Sql } from '../../src/sql/statement.js';

export const adminPostgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** Settings for loadConfig: databaseUrl for PostgreSQL, dataDir for PGlite. */
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

export type BackendName = 'pglite' | 'postgres';
export const backends: BackendName[] = ['pglite', 'postgres'];

export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-test-'));
  if (backend === 'pglite') {
    return { databaseUrl: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `handoff_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(adminPostgresUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir,
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminPostgresUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The database with its statements going through `query` (to count or plan them); everything else,
 * transactions among it, goes to the database itself. Prisma Client is opened only if asked for.
 */
export function withQuery(database: Database, query: <Row>(statement: Sql) => Promise<Row[]>): Database {
  return {
    query,
    transaction: (work) => database.transaction(work),
    listen: (channel, handlers) => database.listen(channel, handlers),
    migrationState: () => database.migrationState(),
    get prisma() {
      return database.prisma;
    },
    close: () => database.close(),
  };
}
