// The SDK end to end on a real broker: jobs go to the next free consumer, so a slow consumer does not
// hold work back the way a partition of a plain consumer group does. What holds at any speed is
// asserted here; how much sooner than a consumer group, and by what ratio, is measured by
// `npm run bench` (the makespan scenario): on a loaded machine a ratio of timings says nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer } from '../src/client/index.js';
import { GetConsumer } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';

const jobs = 200;
const fastMs = 100;
const slowMs = 1000; // one consumer is 10× slower
const speeds = [fastMs, fastMs, fastMs, slowMs];

describe.skipIf(!kafkaBrokers).each(backends)('the SDK on %s with a real Kafka broker', (backend) => {
  let h: Harness;
  const kafka = { brokers: kafkaBrokers.split(',') };
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: { brokers: kafka.brokers, clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
  });
  afterAll(() => h?.close());

  it('200 jobs, 4 consumers, one 10× slower: each job once, and the slow one does fewer than each fast one', async () => {
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

    await Promise.all(Array.from({ length: jobs }, (_, i) => producer.send(pool, { key: `k${i}`, value: `job-${i}` }, { ttlMs: 60_000 })));
    await eventually(() => (seen.length >= jobs ? true : undefined), 120_000);
    await sleep(200); // anything processed twice would show up now

    expect(seen).toHaveLength(jobs);
    expect(new Set(seen).size).toBe(jobs);
    const counts = [0, 1, 2, 3].map((i) => processedBy.get(`c${i}`)?.length ?? 0);
    const slow = counts[3]!;
    // A slot goes to whoever is free: the consumer that takes 10× as long is free less often.
    for (const fast of counts.slice(0, 3)) expect(slow).toBeLessThan(fast);

    await producer.close();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    for (let i = 0; i < 4; i++) expect((await h.client.request(GetConsumer, { id: `${pool}-c${i}` })).consumer).toBeNull();

    console.log(`${backend}: per-consumer jobs ${counts.join('/')}`);
    expect(errors).toEqual([]);
  }, 180_000);
});
