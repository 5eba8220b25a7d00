// PostgreSQL restarted under load: Handoff answers DATABASE_UNAVAILABLE (and /ready false) while it is
// down, recovers by itself, and no lease is lost or doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimFreeConsumer, CompleteLease, RegisterConsumer } from '../src/client/operations.js';
import { GraphQLClient, HandoffError } from '../src/client/graphqlClient.js';
import { createLogger } from '../src/logger.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { type HandoffServer, startServer } from '../src/server/index.js';
import { adminHeaders, eventually, sleep, testConfig, unique } from './support/harness.js';
import { type PrivatePostgres, startPrivatePostgres } from './support/privatePostgres.js';

describe('PostgreSQL restarted under load', () => {
  let postgres: PrivatePostgres;
  let server: HandoffServer;
  let database: Database;
  let client: GraphQLClient;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const config = testConfig({ databaseUrl: postgres.url, dataDir: '/nonexistent' }, { sweepIntervalMs: 200, databasePoolSize: 4 });
    database = await openDatabase(config);
    server = await startServer(config, createLogger(config), { database });
    client = new GraphQLClient({ url: server.url, headers: adminHeaders });
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await database?.close();
    postgres?.destroy();
  });

  it('errors while down, recovers by itself, loses and doubles nothing', async () => {
    const pool = unique('p');
    for (let i = 0; i < 8; i++) await client.request(RegisterConsumer, { input: { id: `${pool}-${i}`, pool, capacity: 2 } });

    const codes = new Map<string, number>();
    const granted: string[] = []; // leases the server said it granted
    const completed: string[] = []; // leases the server said it completed
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          const { claimFreeConsumer: lease } = await client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
          granted.push(lease.id);
          await client.request(CompleteLease, { id: lease.id });
          completed.push(lease.id);
        } catch (error) {
          if (!(error instanceof HandoffError)) throw error;
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
          await sleep(20);
        }
      }
    };
    const ready = async () => (await fetch(server.url.replace('/graphql', '/ready'))).json() as Promise<{ ready: boolean; database: string }>;
    const workers = Array.from({ length: 4 }, worker);

    await eventually(() => (completed.length >= 50 ? true : undefined), 10_000);
    postgres.stop();
    await eventually(() => ((codes.get('DATABASE_UNAVAILABLE') ?? 0) > 0 ? true : undefined), 10_000);
    expect(await ready()).toMatchObject({ ready: false, database: 'down' });
    const completedWhileDown = completed.length;
    await sleep(500);

    postgres.start();
    await eventually(() => (completed.length >= completedWhileDown + 50 ? true : undefined), 20_000);
    expect(await ready()).toMatchObject({ ready: true, database: 'up' });
    running = false;
    await Promise.all(workers);

    // Only the expected refusals, never an internal error.
    expect([...codes.keys()].every((code) => ['DATABASE_UNAVAILABLE', 'NO_FREE_CONSUMER', 'CONFLICT', 'NOT_FOUND'].includes(code))).toBe(true);
    const { prisma } = database;
    const leases = await prisma.lease.findMany({ where: { pool } });
    const byId = new Map(leases.map((lease) => [lease.id, lease]));
    for (const id of granted) expect(byId.has(id)).toBe(true); // nothing granted was lost
    for (const id of completed) expect(byId.get(id)?.state).toBe('COMPLETED');
    expect(new Set(granted).size).toBe(granted.length); // nothing granted twice
    for (const consumer of await prisma.consumer.findMany({ where: { pool } })) {
      const active = leases.filter((lease) => lease.consumerId === consumer.id && ['CLAIMED', 'DISPATCHED'].includes(lease.state)).length;
      expect(consumer.inFlight).toBe(active);
      expect(active).toBeLessThanOrEqual(consumer.capacity);
    }
  }, 90_000);
});
