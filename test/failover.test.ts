// kill -9 of one of two Handoff replicas while 1,000 jobs flow through HandoffProducer: every job is
// completed, and producers and consumers carry on with the other replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer } from '../src/client/index.js';
import { type TestDatabase, createTestDatabase } from './support/databases.js';
import { adminEnv, adminHeaders, eventually, sleep, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';

describe.skipIf(!kafkaBrokers)('a replica killed under load', () => {
  let database: TestDatabase;
  let replicas: ServerProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { ...adminEnv, KAFKA_BROKERS: kafkaBrokers, HANDOFF_SWEEP_INTERVAL_MS: '200' };
    // One after the other, so a replica that fails to start leaves none behind (afterAll stops what started).
    for (let i = 0; i < 2; i++) replicas.push(await startServerProcess(database, env));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('all 1,000 jobs complete, none twice, after kill -9 of the replica everyone was using', async () => {
    const urls = replicas.map((replica) => replica.url);
    const kafka = { brokers: kafkaBrokers.split(',') };
    const pool = unique('p');
    const processed: string[] = [];
    const consumers = Array.from(
      { length: 6 },
      (_, i) =>
        new HandoffConsumer({
          url: urls,
          headers: adminHeaders,
          id: `${pool}-c${i}`,
          pool,
          kafka,
          heartbeatIntervalMs: 1_000,
          handler: async (job) => {
            await sleep(2);
            processed.push(job.value);
          },
        }),
    );
    await Promise.all(consumers.map((consumer) => consumer.start()));
    const producer = new HandoffProducer({ url: urls, headers: adminHeaders, kafka });

    const total = 1_000;
    let next = 0;
    const sender = async () => {
      while (next < total) {
        const n = next++;
        await producer.send(pool, { key: `job-${n}`, value: `job-${n}` }, { ttlMs: 3_000 });
      }
    };
    const sending = Promise.all(Array.from({ length: 40 }, sender));

    await eventually(() => (processed.length >= 300 ? true : undefined), 60_000);
    replicas[0]!.child.kill('SIGKILL');
    const killedAt = processed.length;

    await sending;
    await eventually(() => (processed.length >= total ? true : undefined), 60_000);
    expect(killedAt).toBeLessThan(total);
    expect(new Set(processed).size).toBe(total);
    expect(processed).toHaveLength(total);

    await producer.close();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
  }, 150_000);
});
