// Two Handoff server processes on one PostgreSQL: changes made on one reach subscribers on the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { ClaimFreeConsumer, OnFreeConsumerAvailable, RegisterConsumer, SetStatus } from '../src/client/operations.js';
import { type TestDatabase, createTestDatabase } from './support/databases.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';
import { adminEnv, adminHeaders, sleep, unique } from './support/harness.js';

describe('two server processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let clientA: GraphQLClient;
  let clientB: GraphQLClient;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    // One after the other, so a replica that fails to start leaves none behind (afterAll stops what started).
    a = await startServerProcess(database, adminEnv);
    b = await startServerProcess(database, adminEnv);
    clientA = new GraphQLClient({ url: a.url, headers: adminHeaders });
    clientB = new GraphQLClient({ url: b.url, headers: adminHeaders });
  });
  afterAll(async () => {
    await clientA?.close();
    await clientB?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('a setStatus FREE on A reaches a freeConsumerAvailable subscriber on B within 1 s', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await clientA.request(RegisterConsumer, { input: { id, pool } });
    await clientA.request(SetStatus, { id, status: 'BUSY', epoch: 1 });

    const events = clientB.subscribe(OnFreeConsumerAvailable, { pool });
    const next = events.next();
    // graphql-ws has no "subscribed" acknowledgement: warm up until a first event arrives, then measure.
    let warmed = false;
    void next.then(() => (warmed = true));
    while (!warmed) {
      await clientA.request(SetStatus, { id, status: 'FREE', epoch: 1 });
      await sleep(50);
      if (!warmed) await clientA.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    }
    await clientA.request(SetStatus, { id, status: 'BUSY', epoch: 1 });

    const sentAt = Date.now();
    const measured = events.next();
    await clientA.request(SetStatus, { id, status: 'FREE', epoch: 1 });
    const event = await measured;
    const elapsed = Date.now() - sentAt;
    expect(event.value?.freeConsumerAvailable.id).toBe(id);
    expect(elapsed).toBeLessThan(1_000);
    await events.return?.();
  });

  it('claims on both replicas at once never share a slot', async () => {
    const pool = unique('p');
    await Promise.all(Array.from({ length: 20 }, (_, i) => clientA.request(RegisterConsumer, { input: { id: `${pool}-${i}`, pool } })));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? clientA : clientB).execute(ClaimFreeConsumer, { pool })),
    );
    const won = results.flatMap((result) => (result.data ? [result.data.claimFreeConsumer.consumer.id] : []));
    expect(won).toHaveLength(20);
    expect(new Set(won).size).toBe(20);
    for (const result of results) if (result.errors) expect(result.errors[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
  });
});
