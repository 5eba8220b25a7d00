// A consumer's life as consumers and producers expect it: liveness apart from what the consumer
// declares, every call with its epoch a sign of life, ready before FREE, capacity never below what
// it holds, history kept after it leaves, fencing required of consumer keys, a topic of its own pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, HandoffError } from '../src/client/graphqlClient.js';
import {
  AttachJob,
  ClaimFreeConsumer,
  CompleteLease,
  CreateApiKey,
  DeregisterConsumer,
  ExtendLease,
  FailLease,
  GetConsumer,
  GetLease,
  Heartbeat,
  ListConsumers,
  OnConsumerStatusChanged,
  RegisterConsumer,
  SetStatus,
} from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, eventually, sleep, snapshot, startHarness, unique } from './support/harness.js';

// Long enough that a request on a loaded machine (load 4+, requests taking a second or more) does not
// outlast it by accident; every wait for a verdict or a prune allows many of them.
const ttlMs = 2_000;

describe.each(backends)("a consumer's life on %s", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { heartbeatTtlMs: ttlMs, sweepIntervalMs: 100, historyRetentionMs: 3 * ttlMs });
  });
  afterAll(() => h?.close());

  const consumer = async (id: string) => (await h.client.request(GetConsumer, { id })).consumer;
  /** The rows of one pool: other tests' consumers go OFFLINE meanwhile, which is not this test's business. */
  const rowsOf = async (pool: string) => ({
    consumers: await h.db.prisma.consumer.findMany({ where: { pool }, orderBy: { id: 'asc' } }),
    leases: await h.db.prisma.lease.findMany({ where: { pool }, orderBy: { id: 'asc' } }),
  });
  const offline = (id: string) => eventually(async () => ((await consumer(id))?.alive === false ? true : undefined), 10 * ttlMs);
  const code = async (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => (error instanceof HandoffError ? error.code : String(error)),
    );

  it.each(['DRAINING', 'BUSY'] as const)('a %s consumer that misses heartbeats is OFFLINE, and comes back as it was, never FREE', async (declared) => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(SetStatus, { id, status: declared, epoch: 1 });
    await offline(id);
    expect(await consumer(id)).toMatchObject({ status: 'OFFLINE', declaredStatus: declared, alive: false });
    expect((await consumer(id))?.offlineSince).not.toBeNull();
    const back = (await h.client.request(Heartbeat, { id, epoch: 1 })).heartbeat;
    expect(back).toMatchObject({ status: declared, declaredStatus: declared, alive: true, offlineSince: null });
    expect(await code(h.client.request(ClaimFreeConsumer, { pool }))).toBe('NO_FREE_CONSUMER');
  });

  it('a FREE consumer that comes back is claimable again, at the back of the idle line', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-a`, pool } });
    await offline(`${pool}-a`);
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-b`, pool } });
    await h.client.request(Heartbeat, { id: `${pool}-a`, epoch: 1 });
    const first = (await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer;
    const second = (await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer;
    expect([first.consumer.id, second.consumer.id]).toEqual([`${pool}-b`, `${pool}-a`]);
  });

  it('setStatus on an OFFLINE consumer with its current epoch is a sign of life and takes effect', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    await offline(id);
    const set = (await h.client.request(SetStatus, { id, status: 'FREE', epoch: 1 })).setStatus;
    expect(set).toMatchObject({ status: 'FREE', alive: true });
    expect((await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer.consumer.id).toBe(id);
  });

  it('every call a consumer makes with its epoch keeps it alive: driven by hand for 3 TTLs, never OFFLINE while its calls come within the TTL', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    const epoch = 1;
    // When the last sign of life was sent: the server heard it then or later. A verdict is right only if
    // more than a TTL has passed since (this machine was too slow to keep the pace); never sooner.
    let lastSign = Date.now();
    await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 2 } });
    const sign = async (call: () => Promise<unknown>) => {
      const sentAt = Date.now();
      await call();
      lastSign = sentAt;
    };
    const judgedFairly = () => expect(Date.now() - lastSign).toBeGreaterThan(ttlMs);
    const claim = async () => {
      const first = await h.client.execute(ClaimFreeConsumer, { pool });
      if (first.data) return first.data.claimFreeConsumer;
      expect(first.errors?.[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
      judgedFairly();
      await sign(() => h.client.request(SetStatus, { id, status: 'FREE', epoch })); // a sign of life brings it back
      return (await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer;
    };
    const steps = [
      () => sign(() => h.client.request(SetStatus, { id, status: 'FREE', epoch })),
      async () => {
        const lease = await claim();
        await sign(() => h.client.request(ExtendLease, { id: lease.id, ms: 60_000, consumerId: id, epoch }));
      },
      async () => {
        const lease = await claim();
        await sign(() => h.client.request(CompleteLease, { id: lease.id, consumerId: id, epoch }));
      },
      async () => {
        const lease = await claim();
        await sign(() => h.client.request(FailLease, { id: lease.id, reason: 'by hand', consumerId: id, epoch }));
      },
    ];
    const started = Date.now();
    for (let step = 0; step < steps.length || Date.now() - started < 3 * ttlMs; step++) {
      await steps[step % steps.length]!();
      if ((await consumer(id))?.alive !== true) judgedFairly();
      // The next sign of life goes half a TTL after this one was sent, whatever the calls cost.
      await sleep(Math.max(0, lastSign + ttlMs / 2 - Date.now()));
    }
  });

  it('registers BUSY when it is not ready yet: not claimable until it says FREE', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id, pool, status: 'BUSY' } });
    expect(registerConsumer).toMatchObject({ status: 'BUSY', declaredStatus: 'BUSY', alive: true, freeSince: null });
    expect(await code(h.client.request(ClaimFreeConsumer, { pool }))).toBe('NO_FREE_CONSUMER');
    await h.client.request(SetStatus, { id, status: 'FREE', epoch: 1 });
    expect((await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer.consumer.id).toBe(id);
  });

  it('a re-registration with a capacity below the leases held is CONFLICT and changes nothing', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 3 } });
    await h.client.request(ClaimFreeConsumer, { pool });
    await h.client.request(ClaimFreeConsumer, { pool });
    const before = await rowsOf(pool);
    const refused = await h.client.execute(RegisterConsumer, { input: { id, pool, capacity: 1 } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toMatch(/holds 2 lease/);
    expect(await rowsOf(pool)).toEqual(before);
    const again = (await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 2 } })).registerConsumer;
    expect(again).toMatchObject({ epoch: 2, capacity: 2, inFlight: 2 });
    expect(await code(h.client.request(ClaimFreeConsumer, { pool }))).toBe('NO_FREE_CONSUMER');
  });

  it('history is kept: after deregistering, its leases stay readable, its topic is free, and re-registering revives it', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id, pool } });
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool });
    await h.client.request(CompleteLease, { id: lease.id, consumerId: id, epoch: 1 });
    await h.client.request(DeregisterConsumer, { id, epoch: 1 });

    expect(await consumer(id)).toBeNull();
    expect((await h.client.request(ListConsumers, { pool })).consumers.nodes).toEqual([]);
    const kept = (await h.client.request(GetLease, { id: lease.id })).lease;
    expect(kept).toMatchObject({ id: lease.id, state: 'COMPLETED', consumer: { id, topic: registerConsumer.topic } });
    // Another consumer may take the topic now, and the first one may come back (on another topic).
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-d`, pool, topic: registerConsumer.topic } });
    const revived = (await h.client.request(RegisterConsumer, { input: { id, pool, topic: `${registerConsumer.topic}-2` } })).registerConsumer;
    expect(revived).toMatchObject({ epoch: 2, status: 'FREE' });
  });

  it('the sweeper prunes ended leases past the retention, and never a job waiting for its next attempt', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 2 } });
    const { claimFreeConsumer: done } = await h.client.request(ClaimFreeConsumer, { pool });
    await h.client.request(CompleteLease, { id: done.id, consumerId: id, epoch: 1 });
    // A job whose attempt failed, waiting to be sent again (no Kafka here, so it waits).
    const { claimFreeConsumer: failed } = await h.client.request(ClaimFreeConsumer, { pool });
    await h.client.request(AttachJob, { id: failed.id, message: { value: 'the job' } });
    await h.client.request(FailLease, { id: failed.id, reason: 'try again', consumerId: id, epoch: 1 });
    await eventually(async () => ((await h.client.request(GetLease, { id: done.id })).lease === null ? true : undefined), 30_000);
    expect((await h.client.request(GetLease, { id: failed.id })).lease).toMatchObject({ state: 'FAILED' });
  });

  it('a deregistered consumer is pruned with its last lease, past the retention', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(DeregisterConsumer, { id, epoch: 1 });
    await eventually(async () => ((await h.db.prisma.consumer.findUnique({ where: { id } })) === null ? true : undefined), 30_000);
  });
});

describe.each(backends)('what a consumer key may do with its consumer on %s', (backend) => {
  let h: Harness;
  let mine: GraphQLClient;
  const pool = unique('k');
  beforeAll(async () => {
    h = await startHarness(backend);
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'CONSUMER', consumerId: `${pool}-*`, pool } });
    mine = new GraphQLClient({ url: h.server.url, headers: { authorization: `Bearer ${createApiKey.token}` } });
  });
  afterAll(async () => {
    await mine?.close();
    await h?.close();
  });

  it('completing, failing or extending without consumerId and epoch is refused, saying what is missing; an old epoch is STALE_EPOCH', async () => {
    const id = `${pool}-a`;
    await mine.request(RegisterConsumer, { input: { id, pool } });
    await mine.request(RegisterConsumer, { input: { id, pool } });
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool });
    const before = await snapshot(h.db);
    for (const [result, missing] of [
      [await mine.execute(CompleteLease, { id: lease.id }), 'consumerId and epoch'],
      [await mine.execute(CompleteLease, { id: lease.id, consumerId: id }), 'epoch'],
      [await mine.execute(FailLease, { id: lease.id, epoch: 2 }), 'consumerId'],
      [await mine.execute(ExtendLease, { id: lease.id, ms: 1_000, consumerId: id }), 'epoch'],
    ] as const) {
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toContain(`must pass ${missing}`);
    }
    const stale = await mine.execute(CompleteLease, { id: lease.id, consumerId: id, epoch: 1 });
    expect(stale.errors?.[0]).toMatchObject({ extensions: { code: 'STALE_EPOCH' }, message: expect.stringMatching(/re-registered since/) });
    const newer = await mine.execute(CompleteLease, { id: lease.id, consumerId: id, epoch: 7 });
    expect(newer.errors?.[0]).toMatchObject({ extensions: { code: 'STALE_EPOCH' }, message: expect.stringMatching(/newer than its current one \(2\)/) });
    expect(await snapshot(h.db)).toEqual(before);
    expect((await mine.request(CompleteLease, { id: lease.id, consumerId: id, epoch: 2 })).completeLease.state).toBe('COMPLETED');
  });

  it.each([
    ['another pool’s default topic', (other: string) => `handoff.${other}.${other}-1`],
    ['another pool’s topic', (other: string) => `handoff.${other}.anything`],
    ['its own pool’s dead-letter topic', () => `handoff.${pool}.dlq`],
    ['its own pool’s intake topic', () => `handoff.${pool}.intake`],
    ['a Kafka-internal topic', () => '__consumer_offsets'],
    ['a topic outside Handoff’s prefix', () => 'orders'],
  ])('may not register its consumer on %s (BAD_USER_INPUT, nothing changes)', async (_what, topicFor) => {
    const before = await snapshot(h.db);
    const result = await mine.execute(RegisterConsumer, { input: { id: `${pool}-t`, pool, topic: topicFor(`${pool}-other`) } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await snapshot(h.db)).toEqual(before);
  });

  it('may choose a topic of its own pool; an ADMIN may choose one elsewhere, but never __ or a dead-letter topic', async () => {
    expect((await mine.request(RegisterConsumer, { input: { id: `${pool}-own`, pool, topic: `handoff.${pool}.own-topic` } })).registerConsumer.topic).toBe(
      `handoff.${pool}.own-topic`,
    );
    expect((await h.client.request(RegisterConsumer, { input: { id: `${pool}-adm`, pool, topic: 'orders-for-admin' } })).registerConsumer.topic).toBe('orders-for-admin');
    for (const topic of ['__consumer_offsets', `handoff.${pool}.dlq`]) {
      expect((await h.client.execute(RegisterConsumer, { input: { id: `${pool}-adm2`, pool, topic } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('messages that help', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { heartbeatTtlMs: 1_000, sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  it('an unknown key, a malformed Authorization and no key are each told apart', async () => {
    const ask = async (authorization?: string) => {
      const client = new GraphQLClient({ url: h.server.url, ...(authorization && { headers: { authorization } }), failoverMs: 0 });
      const result = await client.execute(GetConsumer, { id: 'x' });
      await client.close();
      return result.errors?.[0];
    };
    expect(await ask('Bearer hk_not-a-key')).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: 'this API key is unknown or revoked' });
    expect(await ask('Basic abc')).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/must be Bearer/) });
    expect(await ask()).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' }, message: expect.stringMatching(/API key is required/) });
  });

  it('NO_FREE_CONSUMER says how many matching consumers are OFFLINE, BUSY, DRAINING and full', async () => {
    const pool = unique('p');
    for (const name of ['gone', 'busy', 'draining', 'full']) await h.client.request(RegisterConsumer, { input: { id: `${pool}-${name}`, pool } });
    await h.client.request(SetStatus, { id: `${pool}-busy`, status: 'BUSY', epoch: 1 });
    await h.client.request(SetStatus, { id: `${pool}-draining`, status: 'DRAINING', epoch: 1 });
    await h.client.request(ClaimFreeConsumer, { pool }); // takes the longest idle FREE one, `gone`
    await eventually(async () => ((await h.client.request(GetConsumer, { id: `${pool}-gone` })).consumer?.alive === false ? true : undefined), 15_000);
    for (const name of ['busy', 'draining', 'full']) await h.client.request(Heartbeat, { id: `${pool}-${name}`, epoch: 1 });
    await h.client.request(ClaimFreeConsumer, { pool }); // `full`
    const refused = (await h.client.execute(ClaimFreeConsumer, { pool })).errors?.[0];
    expect(refused?.extensions).toMatchObject({ code: 'NO_FREE_CONSUMER', consumers: { matching: 4, offline: 1, busy: 1, draining: 1, full: 1 } });
    expect(refused?.message).toMatch(/of 4 matching, 1 OFFLINE .*1 BUSY, 1 DRAINING, 1 full/);
  });

  it('over graphql-ws, an unknown key closes with 4401 and the SDK fails fast with UNAUTHENTICATED', async () => {
    const client = new GraphQLClient({ url: h.server.url, headers: { authorization: 'Bearer hk_not-a-key' } });
    const started = Date.now();
    const stream = client.subscribe(OnConsumerStatusChanged, {});
    await expect(stream.next()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/unknown or revoked/) });
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.close();
  });
});
