// The Kafka intake: a producer writes plain records to a pool's intake topic with any Kafka client;
// Handoff records each as one job, commits the offset only after, pauses the intake while the
// backlog is full, and dead-letters what cannot be a job. On PGlite and PostgreSQL, with a real broker.
import { type Producer, type Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, type Job as HandlerJob, intakeHeaders } from '../src/client/index.js';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { CancelJob, GetStats, ListJobs, RegisterConsumer, SubmitJobs } from '../src/client/operations.js';
import type { JobFieldsFragment } from '../src/client/generated/graphql.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';
import { type TestDatabase, backends, createTestDatabase } from './support/databases.js';
import { type Harness, adminEnv, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords, recordCount, testKafka } from './support/kafka.js';

/** Every job of a pool, oldest first, read page by page. */
async function allJobs(client: GraphQLClient, pool: string): Promise<JobFieldsFragment[]> {
  const jobs: JobFieldsFragment[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listPage>> = await listPage(client, pool, after);
    jobs.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null;
  } while (after);
  return jobs;
}

const listPage = async (client: GraphQLClient, pool: string, after: string | null) =>
  (await client.request(ListJobs, { pool, first: 500, after })).jobs;

/** The intake group's committed offsets on `topic`, summed over its partitions (-1, none yet, counts 0). */
async function committed(groupId: string, topic: string): Promise<number> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (offsets?.partitions ?? []).reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Idempotent, so a retried send on a loaded machine cannot write a record twice (the tests count records). */
const writer = { idempotent: true, maxInFlightRequests: 1 };

describe.skipIf(!kafkaBrokers).each(backends)('the Kafka intake on %s', (backend) => {
  let h: Harness;
  let producer: Producer;
  let prefix: string;
  const limit = 30;

  beforeAll(async () => {
    // A prefix of its own: the intake's consumer group (<prefix>.intake) and topics belong to this server alone.
    prefix = unique('intake');
    h = await startHarness(backend, {
      kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      intake: { enabled: true, partitions: 3, refreshMs: 1_000 },
      topicPrefix: prefix,
      backlogLimit: limit,
      sweepIntervalMs: 200,
    });
    producer = testKafka().producer(writer);
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await h?.close();
  });

  const write = (topic: string, messages: Message[]) => producer.send({ topic, messages });
  const busyConsumer = async (pool: string, name = 'c') =>
    (await h.client.request(RegisterConsumer, { input: { id: `${pool}-${name}`, pool, status: 'BUSY' } })).registerConsumer;
  const jobsOf = async (pool: string, count: number, timeoutMs = 30_000) =>
    eventually(async () => {
      const jobs = await allJobs(h.client, pool);
      return jobs.length >= count ? jobs : undefined;
    }, timeoutMs);

  it("a pool's first consumer creates its intake topic, with the configured partitions; stats name it", async () => {
    const pool = unique('p');
    await busyConsumer(pool);
    const topic = `${prefix}.${pool}.intake`;
    const { stats } = await h.client.request(GetStats, { pool });
    expect(stats.intakeTopic).toBe(topic);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(topics[0]?.partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }
    expect((await h.client.request(GetStats, {})).stats.intakeTopic).toBeNull();
  });

  it('a plain record becomes a job with the labels, priority, fairness key and headers it names, and reaches a consumer carrying the labels', async () => {
    const pool = unique('p');
    const received: { consumer: string; job: HandlerJob }[] = [];
    const consumer = (name: string, labels: string[]) =>
      new HandoffConsumer({
        url: h.server.url,
        id: `${pool}-${name}`,
        pool,
        labels,
        headers: adminHeaders,
        kafka: { brokers: kafkaBrokers.split(',') },
        handler: async (job) => {
          received.push({ consumer: name, job });
        },
      });
    const plain = consumer('plain', []);
    const gpu = consumer('gpu', ['gpu']);
    await plain.start();
    await gpu.start();
    const topic = `${prefix}.${pool}.intake`;
    await write(topic, [
      { key: 'k1', value: 'no headers at all' },
      {
        key: 'k2',
        value: 'needs a gpu',
        headers: {
          [intakeHeaders.labels]: ' gpu ',
          [intakeHeaders.priority]: '7',
          [intakeHeaders.fairnessKey]: 'tenant-a',
          trace: 'abc',
        },
      },
    ]);
    const jobs = await jobsOf(pool, 2);
    const plainJob = jobs.find((job) => job.value === 'no headers at all')!;
    const gpuJob = jobs.find((job) => job.value === 'needs a gpu')!;
    expect(plainJob).toMatchObject({ key: 'k1', labels: [], priority: 0, fairnessKey: null, headers: [] });
    expect(plainJob.source).toMatchObject({ topic, partition: expect.any(Number), offset: expect.any(String) });
    expect(gpuJob).toMatchObject({ key: 'k2', labels: ['gpu'], priority: 7, fairnessKey: 'tenant-a', headers: [{ key: 'trace', value: 'abc' }] });

    await eventually(() => (received.length >= 2 ? true : undefined), 30_000);
    const byValue = new Map(received.map(({ consumer: name, job }) => [job.value, { name, job }]));
    expect(byValue.get('needs a gpu')?.name).toBe('gpu');
    expect(byValue.get('needs a gpu')?.job.headers.trace).toBe('abc');
    expect(byValue.get('no headers at all')?.job.key).toBe('k1');
    await eventually(async () => ((await allJobs(h.client, pool)).every((job) => job.state === 'COMPLETED') ? true : undefined), 30_000);
    await plain.stop();
    await gpu.stop();
  }, 90_000);

  it('an idempotency key is honoured across records and submitJobs; a record read again after a restart is not a second job', async () => {
    const pool = unique('p');
    await busyConsumer(pool);
    const topic = `${prefix}.${pool}.intake`;
    const [submitted] = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'through the API', idempotencyKey: 'order-1' }] })).submitJobs;
    // One partition: Kafka orders records within a partition only, and the first of two with one key is the job.
    await write(topic, [
      { partition: 0, value: 'order 1 again', headers: { [intakeHeaders.idempotencyKey]: 'order-1' } },
      { partition: 0, value: 'order 2', headers: { [intakeHeaders.idempotencyKey]: 'order-2' } },
      { partition: 0, value: 'order 2 again', headers: { [intakeHeaders.idempotencyKey]: 'order-2' } },
      { partition: 0, value: 'plain' },
    ]);
    const groupId = `${prefix}.intake`;
    await eventually(async () => ((await committed(groupId, topic)) === 4 ? true : undefined), 30_000);
    const before = await allJobs(h.client, pool);
    expect(before.map((job) => job.value).sort()).toEqual(['order 2', 'plain', 'through the API']);
    expect(before.find((job) => job.idempotencyKey === 'order-1')?.id).toBe(submitted!.id);

    // Stopped, its group's offsets set back to the start, started again: every record is read again.
    await h.client.close();
    await h.server.close();
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.resetOffsets({ groupId, topic, earliest: true });
    } finally {
      await admin.disconnect();
    }
    expect(await committed(groupId, topic)).toBe(0);
    h.server = await startServer(h.config, createLogger(h.config), { database: h.db });
    h.client = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
    await eventually(async () => ((await committed(groupId, topic)) === 4 ? true : undefined), 60_000);
    const after = await allJobs(h.client, pool);
    expect(after.map((job) => job.id).sort()).toEqual(before.map((job) => job.id).sort());
  }, 120_000);

  it('at the limit the intake pauses and Kafka keeps the rest; as room comes back it resumes, and no record is lost', async () => {
    const pool = unique('p');
    await busyConsumer(pool);
    const topic = `${prefix}.${pool}.intake`;
    const total = 75;
    const values = Array.from({ length: total }, (_, n) => `record-${n}`);
    await write(topic, values.map((value) => ({ value })));
    expect(await recordCount(topic)).toBe(total);

    const seen = new Set<string>();
    const groupId = `${prefix}.intake`;
    for (let round = 0; seen.size < total; round++) {
      expect(round).toBeLessThan(10);
      // The backlog fills to its limit (or to what is left) and stays there: the intake is paused.
      const expected = Math.min(limit, total - seen.size);
      const pending = await eventually(async () => {
        const jobs = (await allJobs(h.client, pool)).filter((job) => job.state === 'PENDING');
        return jobs.length >= expected ? jobs : undefined;
      }, 30_000);
      expect(pending.length).toBe(expected);
      if (expected === limit && seen.size + limit < total) {
        await eventually(async () => {
          const ready = (await (await fetch(new URL('/ready', h.server.url))).json()) as { intake: { paused: string[] } };
          return ready.intake.paused.includes(pool) ? true : undefined;
        }, 30_000);
        await sleep(1_000);
        expect((await allJobs(h.client, pool)).filter((job) => job.state === 'PENDING')).toHaveLength(limit);
        // Only what was recorded is committed; the rest waits in Kafka.
        expect(await committed(groupId, topic)).toBe(seen.size + limit);
        const refused = await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'one more' }] }).catch((error: unknown) => error);
        expect(refused).toMatchObject({ code: 'BACKLOG_FULL' });
      }
      for (const job of pending) {
        seen.add(job.value!);
        await h.client.request(CancelJob, { id: job.id });
      }
    }
    const jobs = await allJobs(h.client, pool);
    expect(jobs).toHaveLength(total);
    expect(jobs.map((job) => job.value).sort()).toEqual([...values].sort());
    await eventually(async () => ((await committed(groupId, topic)) === total ? true : undefined), 30_000);
  }, 150_000);

  it('a record that cannot be a job goes to the dead-letter topic with its reason; the records after it still become jobs', async () => {
    const pool = unique('p');
    await busyConsumer(pool);
    const topic = `${prefix}.${pool}.intake`;
    // One partition for all, in this order: a bad record must not hold up the ones behind it.
    const bad: Message[] = [
      { partition: 0, value: 'bad priority', headers: { [intakeHeaders.priority]: 'high' } },
      { partition: 0, value: 'priority out of range', headers: { [intakeHeaders.priority]: '11' } },
      { partition: 0, value: 'bad label', headers: { [intakeHeaders.labels]: 'g p u' } },
      { partition: 0, value: 'a reserved header', headers: { 'handoff-lease-id': 'x' } },
      { partition: 0, value: Buffer.from([0xff, 0xfe, 0x00]) },
      { partition: 0, value: null },
    ];
    await write(topic, [...bad, { partition: 0, value: 'fine after all' }]);
    const jobs = await jobsOf(pool, bad.length + 1);
    expect(jobs.filter((job) => job.state === 'PENDING').map((job) => job.value)).toEqual(['fine after all']);

    const dead = await readRecords(`${prefix}.${pool}.dlq`, bad.length, 30_000);
    const reasons = dead.map((record) => record.headers?.['handoff-dead-letter-reason']?.toString() ?? '');
    expect(reasons.every((reason) => reason.startsWith(`the intake refused the record at ${topic}/0/`))).toBe(true);
    expect(reasons.join('\n')).toMatch(/handoff-priority must be an integer \(got "high"\)/);
    expect(reasons.join('\n')).toMatch(/priority must be an integer from -10 to 10 \(got 11\)/);
    expect(reasons.join('\n')).toMatch(/label must be/);
    expect(reasons.join('\n')).toMatch(/header handoff-lease-id is reserved/);
    expect(reasons.join('\n')).toMatch(/its value is not UTF-8 text/);
    expect(reasons.join('\n')).toMatch(/it has no value/);
    const binary = dead.find((record) => record.headers?.['handoff-value-encoding']?.toString() === 'base64');
    expect(Buffer.from(binary!.value!.toString(), 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
    await eventually(async () => {
      const ended = (await allJobs(h.client, pool)).filter((job) => job.state === 'DEAD_LETTERED');
      return ended.length === bad.length ? ended : undefined;
    }, 30_000);
  }, 90_000);
});

describe.skipIf(!kafkaBrokers).each(backends)('the Kafka intake under kill -9 of a replica, on %s', (backend) => {
  let database: TestDatabase;
  const replicas: ServerProcess[] = [];
  beforeAll(async () => {
    database = await createTestDatabase(backend);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('a replica killed while it records a large batch of intake records: another one finishes, and every record is exactly one job', async () => {
    const prefix = unique('kill');
    const env = { ...adminEnv, KAFKA_BROKERS: kafkaBrokers, HANDOFF_TOPIC_PREFIX: prefix, HANDOFF_INTAKE_PARTITIONS: '4', HANDOFF_SWEEP_INTERVAL_MS: '200' };
    const first = await startServerProcess(database, env);
    replicas.push(first);
    const client = (url: string) => new GraphQLClient({ url, headers: adminHeaders });
    const pool = unique('p');
    const topic = `${prefix}.${pool}.intake`;
    const total = 20_000;
    const half = total / 2;
    const records = (start: number, count: number) => Array.from({ length: count }, (_, i) => ({ key: `k${start + i}`, value: `record-${start + i}` }));
    // Half the records are in the topic before the replica reads it, so its first fetch is a large batch …
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = testKafka().producer(writer);
    await producer.connect();
    for (let start = 0; start < half; start += 1_000) await producer.send({ topic, messages: records(start, 1_000) });
    // … which it starts on once the pool has a consumer (BUSY: the jobs stay in the backlog, where they are counted).
    const one = client(first.url);
    await one.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, status: 'BUSY' } });
    await one.close();
    // The other half comes over ten seconds or more: the replica dies with records still coming.
    const writing = (async () => {
      for (let start = half; start < total; start += 100) {
        await producer.send({ topic, messages: records(start, 100) });
        await sleep(100);
      }
      await producer.disconnect();
    })();

    const backlog = async (url: string) => {
      const c = client(url);
      try {
        return (await c.request(GetStats, { pool })).stats.backlog;
      } finally {
        await c.close();
      }
    };
    const atKill = await eventually(async () => {
      const count = await backlog(first.url);
      return count >= 1_000 ? count : undefined;
    }, 60_000);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    await writing;
    expect(await recordCount(topic)).toBe(total);
    expect(atKill).toBeLessThan(total);

    const second = await startServerProcess(database, env);
    replicas.push(second);
    // Its group waits out the dead member's session (kafkajs: 30 s) before it gets the partitions.
    await eventually(async () => ((await backlog(second.url)) >= total ? true : undefined), 150_000);
    await eventually(async () => ((await committed(`${prefix}.intake`, topic)) === total ? true : undefined), 60_000);
    const c = client(second.url);
    const jobs = await allJobs(c, pool);
    await c.close();
    const values = new Set(jobs.map((job) => job.value));
    const sources = new Set(jobs.map((job) => `${job.source?.partition}/${job.source?.offset}`));
    expect({ jobs: jobs.length, distinctValues: values.size, distinctSources: sources.size }).toEqual({ jobs: total, distinctValues: total, distinctSources: total });
    for (let n = 0; n < total; n++) if (!values.has(`record-${n}`)) throw new Error(`record-${n} was lost`);
    const known = [...second.output().matchAll(/"known":(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    console.info(`kill -9 on ${backend}: ${atKill} of ${total} jobs recorded when the replica died; the next one read ${known} of them again and did not add them twice`);
  }, 300_000);
});
