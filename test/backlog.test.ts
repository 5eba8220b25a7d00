// The backlog: producers submit and go; the slot a consumer frees takes the next job in the same
// statement, and Handoff produces it to the consumer's topic. On PGlite and PostgreSQL, with Kafka.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer, type Job as HandlerJob } from '../src/client/index.js';
import {
  AwaitFreeConsumer,
  CancelJob,
  CompleteLease,
  GetBacklog,
  GetJob,
  ListJobs,
  RegisterConsumer,
  SetStatus,
  SubmitJobs,
} from '../src/client/operations.js';
import { completeEverything, heldBy, runJobs } from './support/backlog.js';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords } from './support/kafka.js';

const jobsOf = (values: string[], extra: Record<string, unknown> = {}) => values.map((value) => ({ value, ...extra }));

describe.skipIf(!kafkaBrokers).each(backends)('the backlog on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, {
      kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      backlogLimit: 50,
    });
  });
  afterAll(() => h?.close());

  const busyConsumer = async (pool: string, name = 'c', input: { capacity?: number; labels?: string[] } = {}) => {
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-${name}`, pool, status: 'BUSY', ...input } });
    return registerConsumer;
  };

  it('a submitted job reaches a free consumer through Kafka, with its lease id and attempt, and completes', async () => {
    const pool = unique('p');
    const worker = new HandoffConsumer({
      url: h.server.url,
      id: `${pool}-w`,
      pool,
      headers: adminHeaders,
      kafka: { brokers: kafkaBrokers.split(',') },
      handler: async () => {},
    });
    await worker.start();
    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders });
    const [job] = await producer.submit(pool, [{ key: 'k', value: 'the job', headers: { trace: 't' } }]);
    expect(job).toMatchObject({ pool, value: 'the job' });
    await eventually(async () => ((await h.client.request(GetJob, { id: job!.id })).job?.state === 'COMPLETED' ? true : undefined), 20_000);
    const done = (await h.client.request(GetJob, { id: job!.id })).job!;
    expect(done).toMatchObject({ attempts: 1, leaseId: expect.any(String) });
    const [record] = await readRecords(`handoff.${pool}.${pool}-w`, 1);
    expect(record?.headers?.['handoff-lease-id']?.toString()).toBe(done.leaseId);
    expect(record?.headers?.['handoff-attempt']?.toString()).toBe('1');
    expect(record?.headers?.trace?.toString()).toBe('t');
    await worker.stop();
    await producer.close();
  }, 60_000);

  it('the freed slot takes its next job in the statement that frees it: completeLease answers with the consumer already holding it', async () => {
    const pool = unique('p');
    const consumer = await busyConsumer(pool);
    await h.client.request(SubmitJobs, { pool, jobs: jobsOf(['one', 'two']) });
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    const [first] = await heldBy(h.db, consumer.id);
    expect(first?.value).toBe('one');
    const { completeLease } = await h.client.request(CompleteLease, { id: first!.leaseId, consumerId: consumer.id, epoch: 1 });
    expect(completeLease.consumer.inFlight).toBe(1);
    expect((await heldBy(h.db, consumer.id)).map((held) => held.value)).toEqual(['two']);
  });

  it('a job submitted again with its idempotency key is not added twice; the call returns the first', async () => {
    const pool = unique('p');
    await busyConsumer(pool);
    const first = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'a', idempotencyKey: 'order-1' }] })).submitJobs[0]!;
    const again = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'a (retried)', idempotencyKey: 'order-1' }, { value: 'b', idempotencyKey: 'order-2' }] }))
      .submitJobs;
    expect(again[0]).toMatchObject({ id: first.id, value: 'a' });
    expect(again[1]?.id).not.toBe(first.id);
    expect((await h.client.request(ListJobs, { pool })).jobs.nodes.map((job) => job.value)).toEqual(['a', 'b']);
  });

  it('backpressure: past the pool’s limit submitJobs is BACKLOG_FULL and adds nothing; room again once jobs leave', async () => {
    const pool = unique('p');
    const consumer = await busyConsumer(pool);
    await h.client.request(SubmitJobs, { pool, jobs: jobsOf(Array.from({ length: 50 }, (_, i) => `j${i}`)) });
    const refused = await h.client.execute(SubmitJobs, { pool, jobs: jobsOf(['one too many']) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BACKLOG_FULL');
    expect((await h.client.request(GetBacklog, { pool, by: 'PRIORITY' })).stats.backlog).toBe(50);
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    await runJobs(h.client, h.db, consumer, 10);
    // The running count is recounted by the sweep: room again after it.
    await eventually(async () => ((await h.client.execute(SubmitJobs, { pool, jobs: jobsOf(['room again']) })).errors ? undefined : true), 10_000);
  });

  it('submissions at the same time never take the backlog past its limit together', async () => {
    const clients = Array.from({ length: 20 }, () => new GraphQLClient({ url: h.server.url, headers: adminHeaders }));
    for (let round = 0; round < 5; round++) {
      const pool = unique('p');
      await busyConsumer(pool);
      const results = await Promise.all(
        clients.map((client, c) => client.execute(SubmitJobs, { pool, jobs: jobsOf(Array.from({ length: 10 }, (_, i) => `c${c}-${i}`)) })),
      );
      const accepted = results.filter((result) => !result.errors).length;
      expect(results.filter((result) => result.errors?.[0]?.extensions?.code === 'BACKLOG_FULL')).toHaveLength(20 - accepted);
      expect(accepted).toBe(5);
      expect((await h.client.request(GetBacklog, { pool, by: 'PRIORITY' })).stats.backlog).toBe(50);
    }
    await Promise.all(clients.map((client) => client.close()));
  });

  it('labels: a job goes only to a consumer carrying all its labels', async () => {
    const pool = unique('p');
    const plain = await busyConsumer(pool, 'plain');
    const gpu = await busyConsumer(pool, 'gpu', { labels: ['gpu', 'fast'] });
    await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'needs gpu', labels: ['gpu'] }] });
    await h.client.request(SetStatus, { id: plain.id, status: 'FREE', epoch: 1 });
    expect(await heldBy(h.db, plain.id)).toEqual([]);
    await h.client.request(SetStatus, { id: gpu.id, status: 'FREE', epoch: 1 });
    expect((await heldBy(h.db, gpu.id)).map((held) => held.value)).toEqual(['needs gpu']);
  });

  it('waiting producers and backlog jobs share one line in arrival order (same priority, no fairness key)', async () => {
    const pool = unique('p');
    const consumer = await busyConsumer(pool);
    await h.client.request(SubmitJobs, { pool, jobs: jobsOf(['first']) });
    const producer = h.client.subscribe(AwaitFreeConsumer, { pool });
    const waiting = producer.next();
    await eventually(async () => ((await h.client.request(GetBacklog, { pool, by: 'PRIORITY' })).stats.waitingProducers === 1 ? true : undefined));
    await h.client.request(SubmitJobs, { pool, jobs: jobsOf(['third']) });
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    const order = await runJobs(h.client, h.db, consumer, 3);
    expect(order).toEqual(['first', null, 'third']); // null: the waiting producer's lease, no job on it yet
    const lease = (await waiting).value;
    expect(lease && 'awaitFreeConsumer' in lease ? lease.awaitFreeConsumer.consumer.id : undefined).toBe(consumer.id);
    await producer.return?.();
  });

  it('cancelJob cancels a PENDING job (it is never sent); once on a lease it is CONFLICT', async () => {
    const pool = unique('p');
    const consumer = await busyConsumer(pool);
    const [a, b] = (await h.client.request(SubmitJobs, { pool, jobs: jobsOf(['a', 'b']) })).submitJobs;
    expect((await h.client.request(CancelJob, { id: b!.id })).cancelJob.state).toBe('CANCELLED');
    await h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    expect((await heldBy(h.db, consumer.id)).map((held) => held.value)).toEqual(['a']);
    expect((await h.client.execute(CancelJob, { id: a!.id })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const { completeLease } = await h.client.request(CompleteLease, { id: (await heldBy(h.db, consumer.id))[0]!.leaseId, consumerId: consumer.id, epoch: 1 });
    expect(completeLease.consumer.inFlight).toBe(0); // b was cancelled: nothing more to take
  });

  it('a job whose consumer fails it is sent again, first in line, to the next free slot, attempt 2', async () => {
    const pool = unique('p');
    const runs: HandlerJob[] = [];
    const flaky = new HandoffConsumer({
      url: h.server.url,
      id: `${pool}-flaky`,
      pool,
      headers: adminHeaders,
      kafka: { brokers: kafkaBrokers.split(',') },
      onError: () => {},
      handler: async (job) => {
        runs.push(job);
        if (job.attempt === 1) throw new Error('first attempt fails');
      },
    });
    await flaky.start();
    const [job] = (await h.client.request(SubmitJobs, { pool, jobs: jobsOf(['twice']) })).submitJobs;
    await eventually(async () => ((await h.client.request(GetJob, { id: job!.id })).job?.state === 'COMPLETED' ? true : undefined), 30_000);
    expect(runs.map((run) => run.attempt)).toEqual([1, 2]);
    expect((await h.client.request(GetJob, { id: job!.id })).job?.attempts).toBe(2);
    await flaky.stop();
  }, 60_000);
});

describe.skipIf(!kafkaBrokers)('two replicas assigning one backlog', () => {
  let h: Harness;
  const closers: (() => Promise<void>)[] = [];
  let second: GraphQLClient;
  beforeAll(async () => {
    h = await startHarness('postgres', { kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
    const db = await openDatabase(h.config);
    const server = await startServer(h.config, createLogger(h.config), { database: db });
    second = new GraphQLClient({ url: server.url, headers: adminHeaders });
    closers.push(() => second.close(), () => server.close(), () => db.close());
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await h?.close();
  });

  it('5,000 jobs, 20 consumers, completions through both replicas: every job assigned once, completed once', async () => {
    const pool = unique('p');
    const consumers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        (await h.client.request(RegisterConsumer, { input: { id: `${pool}-c${i}`, pool, capacity: 5, status: 'BUSY' } })).registerConsumer,
      ),
    );
    for (let batch = 0; batch < 5; batch++) {
      await (batch % 2 ? second : h.client).request(SubmitJobs, {
        pool,
        jobs: Array.from({ length: 1_000 }, (_, i) => ({ value: `job-${batch * 1_000 + i}` })),
      });
    }
    for (const [i, consumer] of consumers.entries()) await (i % 2 ? second : h.client).request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 });
    const completed = await completeEverything([h.client, second], h.db, consumers, 5_000);
    expect(completed).toBe(5_000);
    const jobs = await h.db.prisma.job.findMany({ where: { pool }, select: { state: true, attempts: true, messageValue: true } });
    expect(jobs).toHaveLength(5_000);
    expect(jobs.every((job) => job.state === 'COMPLETED' && job.attempts === 1)).toBe(true);
    const leases = await h.db.prisma.lease.groupBy({ by: ['jobId'], where: { pool }, _count: true });
    expect(leases.every((group) => group._count === 1)).toBe(true);
    expect(leases).toHaveLength(5_000);
  }, 300_000);
});
