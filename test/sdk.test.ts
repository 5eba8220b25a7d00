// The SDK end to end on a real broker: jobs go to the next free consumer, so a slow consumer does not
// hold work back the way a partition of a plain consumer group does.
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer } from '../src/client/index.js';
import { GetConsumer } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, testKafka } from './support/kafka.js';

const jobs = 200;
const fastMs = 100;
const slowMs = 1000; // one consumer is 10× slower
const speeds = [fastMs, fastMs, fastMs, slowMs];

/** The same jobs through a plain kafkajs consumer group: 4 partitions, jobs keyed round-robin. */
async function consumerGroupMakespan(): Promise<number> {
  const topic = unique('plain');
  const client = testKafka();
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const groupId = unique('group');
  let processed = 0;
  let finished!: () => void;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const consumers = speeds.map(() => client.consumer({ groupId, maxWaitTimeInMs: 100 }));
  const assigned = new Set<number>();
  await Promise.all(
    consumers.map(async (consumer, index) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        if (Object.values(event.payload.memberAssignment).flat().length > 0) assigned.add(index);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async () => {
          await sleep(speeds[index]!);
          if (++processed === jobs) finished();
        },
      });
    }),
  );
  await eventually(() => (assigned.size === 4 ? true : undefined), 30_000);
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = Date.now();
  await producer.send({ topic, messages: Array.from({ length: jobs }, (_, i) => ({ value: `job-${i}`, partition: i % 4 })) });
  await allDone;
  const makespan = Date.now() - started;
  await producer.disconnect();
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  return makespan;
}


/** Measured once, when the first backend needs it: the consumer group does not depend on Handoff's database. */
let groupMakespan: Promise<number> | undefined;

describe.skipIf(!kafkaBrokers).each(backends)('the SDK on %s with a real Kafka broker', (backend) => {
  let h: Harness;
  const kafka = { brokers: kafkaBrokers.split(',') };
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: { brokers: kafka.brokers, clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
  });
  afterAll(() => h?.close());

  it('200 jobs, 4 consumers, one 10× slower: each job once, the slow one does at most a fifth, 2× sooner than a consumer group', async () => {
    const pool = unique('p');
    const processedBy = new Map<string, string[]>();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const consumers = speeds.map(
      (ms, index) =>
        new HandoffConsumer({
          url: h.server.url,
          headers: adminHeaders,
          id: `${pool}-c${index}`,
          pool,
          kafka,
          handler: async (job) => {
            await sleep(ms);
            seen.push(job.value);
            processedBy.set(`c${index}`, [...(processedBy.get(`c${index}`) ?? []), job.value]);
          },
          onError: (error) => errors.push(error),
        }),
    );
    await Promise.all(consumers.map((consumer) => consumer.start()));
    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });

    const started = Date.now();
    await Promise.all(Array.from({ length: jobs }, (_, i) => producer.send(pool, { key: `k${i}`, value: `job-${i}` }, { ttlMs: 60_000 })));
    await eventually(() => (seen.length >= jobs ? true : undefined), 60_000);
    const handoffMakespan = Date.now() - started;
    await sleep(200); // anything processed twice would show up now

    expect(seen).toHaveLength(jobs);
    expect(new Set(seen).size).toBe(jobs);
    const counts = [0, 1, 2, 3].map((i) => processedBy.get(`c${i}`)?.length ?? 0);
    const slow = counts[3]!;
    for (const fast of counts.slice(0, 3)) expect(slow * 5).toBeLessThanOrEqual(fast);

    await producer.close();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    for (let i = 0; i < 4; i++) expect((await h.client.request(GetConsumer, { id: `${pool}-c${i}` })).consumer).toBeNull();

    groupMakespan ??= consumerGroupMakespan();
    const group = await groupMakespan;
    console.log(`${backend}: per-consumer jobs ${counts.join('/')}, Handoff ${handoffMakespan} ms, consumer group ${group} ms`);
    expect(errors).toEqual([]);
    expect(handoffMakespan * 2).toBeLessThanOrEqual(group);
  }, 180_000);
});
