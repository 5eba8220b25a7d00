// Starts a real Handoff server (in this process) on a real database, with a typed client for it.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';
import { startServer, type HandoffServer } from '../../src/server/index.js';
import { type BackendName, type TestDatabase, createTestDatabase } from './databases.js';

export interface Harness {
  server: HandoffServer;
  client: GraphQLClient;
  database: TestDatabase;
  /** The server's database, opened by the harness: tests inspect the tables through it (db.prisma). */
  db: Database;
  config: Config;
  /** Another server on the same database, as a second replica. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Every test server accepts this ADMIN token (HANDOFF_ADMIN_TOKEN). */
export const adminToken = 'handoff-test-admin-token';
export const adminHeaders = { authorization: `Bearer ${adminToken}` };
/** For server processes: the same token through the environment. */
export const adminEnv = { HANDOFF_ADMIN_TOKEN: adminToken };

export function testConfig(database: Pick<TestDatabase, 'databaseUrl' | 'dataDir'>, overrides: Partial<Config> = {}): Config {
  return loadConfig(
    // The Kafka intake runs only in the tests that are about it (test/intake.test.ts turns it on).
    { HANDOFF_INTAKE: 'off' },
    {
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database.databaseUrl,
      dataDir: database.dataDir,
      logLevel: (process.env.HANDOFF_TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent',
      shutdownGraceMs: 2_000,
      adminToken,
      ...overrides,
    },
  );
}

export async function startHarness(backend: BackendName, overrides: Partial<Config> = {}): Promise<Harness> {
  const database = await createTestDatabase(backend);
  const config = testConfig(database, overrides);
  const log = createLogger(config);
  const db = await openDatabase(config);
  const harness: Harness = {
    server: await startServer(config, log, { database: db }),
    client: undefined as unknown as GraphQLClient,
    database,
    db,
    config,
    async restart() {
      // The same data, opened again: what a restarted process finds.
      await harness.client.close();
      await harness.server.close();
      await harness.db.close();
      harness.db = await openDatabase(config);
      harness.server = await startServer(config, log, { database: harness.db });
      harness.client = new GraphQLClient({ url: harness.server.url, headers: adminHeaders });
    },
    async close() {
      await harness.client.close();
      await harness.server.close();
      await harness.db.close();
      await database.drop();
    },
  };
  harness.client = new GraphQLClient({ url: harness.server.url, headers: adminHeaders });
  return harness;
}

/** A name no other test uses, so tests can share one server. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Every consumer and lease row, to prove a refused request changed nothing. */
export async function snapshot(db: Database) {
  const { prisma } = db;
  return {
    consumers: await prisma.consumer.findMany({ orderBy: { id: 'asc' } }),
    leases: await prisma.lease.findMany({ orderBy: { id: 'asc' } }),
  };
}
