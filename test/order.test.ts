// Who goes first: priorities (with ageing, so no job waits forever), round-robin across fairness
// keys with weights, and a limit of jobs in flight per key — in the backlog and the waiting line
// alike, decided in the database, so replicas agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { AwaitFreeConsumer, CompleteLease, RegisterConsumer, SetConcurrencyLimit, SetFairnessWeight, SetStatus, SubmitJobs } from '../src/client/operations.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { type HandoffServer, startServer } from '../src/server/index.js';
import { completeEverything, heldBy, runJobs } from './support/backlog.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';

const kafka = () => ({ brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 });

describe.skipIf(!kafkaBrokers).each(backends)('who goes first on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: kafka(), sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  const consumerOf = async (pool: string, capacity = 1) =>
    (await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, capacity, status: 'BUSY' } })).registerConsumer;
  const submit = (pool: string, jobs: { value: string; priority?: number; fairnessKey?: string }[]) => h.client.request(SubmitJobs, { pool, jobs });
  const serve = async (pool: string, consumer: { id: string; epoch: number }, count: number) => {
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: consumer.epoch });
    return runJobs(h.client, h.db, consumer, count);
  };

  it('priorities: the highest first, then the oldest', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool);
    await submit(pool, [
      { value: 'low-1', priority: -1 },
      { value: 'normal-1' },
      { value: 'high-1', priority: 5 },
      { value: 'normal-2' },
      { value: 'high-2', priority: 5 },
    ]);
    expect(await serve(pool, consumer, 5)).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2', 'low-1']);
  });

  it('fairness: within a priority, slots go round-robin across the keys that have work', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool);
    await submit(pool, Array.from({ length: 20 }, (_, i) => ({ value: `A${i}`, fairnessKey: 'tenant-a' })));
    await submit(pool, Array.from({ length: 3 }, (_, i) => ({ value: `B${i}`, fairnessKey: 'tenant-b' })));
    expect(await serve(pool, consumer, 8)).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'B2', 'A3', 'A4']);
  });

  it('a key that comes with work late is not put behind the others’ earlier backlog', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool);
    await submit(pool, Array.from({ length: 30 }, (_, i) => ({ value: `A${i}`, fairnessKey: 'tenant-a' })));
    const served = await serve(pool, consumer, 10); // A0..A9 are gone; the clock has moved on
    expect(served.every((value) => value?.startsWith('A'))).toBe(true);
    await submit(pool, [{ value: 'B0', fairnessKey: 'tenant-b' }]);
    // A10 is in the consumer's hands already; B0 comes next or right after A11 (same place on the clock), not after A29.
    expect(await runJobs(h.client, h.db, consumer, 3)).toContain('B0');
  });

  it('weights: a key of weight 2 gets two slots for each of a weight-1 key', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool);
    await h.client.request(SetFairnessWeight, { pool, key: 'heavy', weight: 2 });
    await submit(pool, Array.from({ length: 10 }, (_, i) => ({ value: `L${i}`, fairnessKey: 'light' })));
    await submit(pool, Array.from({ length: 10 }, (_, i) => ({ value: `H${i}`, fairnessKey: 'heavy' })));
    const served = await serve(pool, consumer, 9);
    expect(served.filter((value) => value?.startsWith('H')).length).toBe(6);
    expect(served.filter((value) => value?.startsWith('L')).length).toBe(3);
  });

  it('a limit per key: at most that many of its jobs in flight; its other jobs wait without holding up other keys', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool, 10);
    await h.client.request(SetConcurrencyLimit, { pool, key: 'capped', maxInFlight: 2 });
    await submit(pool, Array.from({ length: 8 }, (_, i) => ({ value: `C${i}`, fairnessKey: 'capped' })));
    await submit(pool, Array.from({ length: 8 }, (_, i) => ({ value: `F${i}`, fairnessKey: 'free' })));
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    // The sweep fills the rest of the slots (a pool with limits assigns one job per statement).
    let held = await heldBy(h.db, consumer.id);
    for (let i = 0; i < 50 && held.length < 10; i++) {
      await sleep(100);
      held = await heldBy(h.db, consumer.id);
    }
    const capped = held.filter((job) => job.value?.startsWith('C'));
    expect(capped.length).toBe(2);
    expect(held.filter((job) => job.value?.startsWith('F')).length).toBe(8);
    // Completing one of the capped jobs lets exactly one more of them in.
    await h.client.request(CompleteLease, { id: capped[0]!.leaseId, consumerId: consumer.id, epoch: 1 });
    const after = await heldBy(h.db, consumer.id);
    expect(after.filter((job) => job.value?.startsWith('C')).length).toBe(2);
    await h.client.request(SetConcurrencyLimit, { pool, key: 'capped', maxInFlight: null });
  });

  it('waiting producers carry a priority too: a high-priority wait goes before the backlog', async () => {
    const pool = unique('p');
    const consumer = await consumerOf(pool);
    await submit(pool, [{ value: 'backlog-1' }, { value: 'backlog-2' }]);
    const waiter = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
    const stream = waiter.subscribe(AwaitFreeConsumer, { pool, priority: 3 });
    const got = stream.next();
    await sleep(300);
    expect(await serve(pool, consumer, 2)).toEqual([null, 'backlog-1']);
    expect((await got).done).toBe(false);
    await waiter.close();
  });
});

describe.skipIf(!kafkaBrokers).each(backends)('ageing on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: kafka(), priorityAgeingMs: 400, sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  it('a job that waited an ageing interval behind higher priorities is served one level higher', async () => {
    const pool = unique('p');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, status: 'BUSY' } });
    await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'old-low', priority: 0 }, { value: 'high-1', priority: 1 }] });
    await sleep(1_200); // more than two ageing intervals: old-low is at rank 1 now (never above the highest waiting)
    await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'high-2', priority: 1 }] });
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    // Same rank now: by place in line (old-low arrived first). Without ageing: high-1, high-2, old-low.
    expect(await runJobs(h.client, h.db, consumer, 3)).toEqual(['old-low', 'high-1', 'high-2']);
  });
});

describe.skipIf(!kafkaBrokers)('two replicas agree on the order and on the limit', () => {
  let h: Harness;
  let second: HandoffServer;
  let secondClient: GraphQLClient;
  beforeAll(async () => {
    h = await startHarness('postgres', { kafka: kafka() });
    const db = await openDatabase(h.config);
    second = await startServer(h.config, createLogger(h.config), { database: db });
    secondClient = new GraphQLClient({ url: second.url, headers: adminHeaders });
    afterAllClose.push(async () => {
      await secondClient.close();
      await second.close();
      await db.close();
    });
  });
  const afterAllClose: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of afterAllClose) await close();
    await h?.close();
  });

  it('completions through either replica keep the round-robin, and a key never passes its limit', async () => {
    const pool = unique('p');
    const consumers = await Promise.all(
      Array.from({ length: 4 }, async (_, i) =>
        (await h.client.request(RegisterConsumer, { input: { id: `${pool}-c${i}`, pool, capacity: 3, status: 'BUSY' } })).registerConsumer,
      ),
    );
    await h.client.request(SetConcurrencyLimit, { pool, key: 'a', maxInFlight: 3 });
    await h.client.request(SubmitJobs, { pool, jobs: Array.from({ length: 40 }, (_, i) => ({ value: `a${i}`, fairnessKey: 'a' })) });
    await secondClient.request(SubmitJobs, { pool, jobs: Array.from({ length: 40 }, (_, i) => ({ value: `b${i}`, fairnessKey: 'b' })) });
    for (const [i, consumer] of consumers.entries()) {
      await (i % 2 ? secondClient : h.client).request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    }
    let maxA = 0;
    const completed = await completeEverything([h.client, secondClient], h.db, consumers, 80, (held) => {
      maxA = Math.max(maxA, held.filter((job) => job.value?.startsWith('a')).length);
    });
    expect(completed).toBe(80);
    expect(maxA).toBeLessThanOrEqual(3);
    const jobs = await h.db.prisma.job.findMany({ where: { pool } });
    expect(jobs.every((job) => job.state === 'COMPLETED' && job.attempts === 1)).toBe(true);
  }, 120_000);
});
