// dispatch through a real Kafka broker, on PGlite and on PostgreSQL.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompleteLease, DispatchJob, GetConsumer, GetStats, RegisterConsumer, SetStatus } from '../src/client/operations.js';
import { freePort, startKafkaBroker } from '../scripts/kafka/broker.js';
import { backends } from './support/databases.js';
import { type Harness, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords, recordCount, testKafka } from './support/kafka.js';

describe.skipIf(!kafkaBrokers).each(backends)('dispatch on %s with a real Kafka broker', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 3_000 } });
  });
  afterAll(() => h?.close());

  it('creates the consumer topic on registration', async () => {
    const pool = unique('p');
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const admin = testKafka().admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain(registerConsumer.topic);
    await admin.disconnect();
  });

  it('produces the job to the claimed consumer topic with the lease id and attempt in its headers', async () => {
    const pool = unique('p');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const { dispatch } = await h.client.request(DispatchJob, {
      pool,
      message: { key: 'order-7', value: '{"resize":"640x480"}', headers: [{ key: 'trace', value: 't-1' }] },
    });
    expect(dispatch).toMatchObject({ topic: consumer.topic, partition: 0, offset: '0', lease: { state: 'DISPATCHED', attempt: 1 } });
    const [record] = await readRecords(consumer.topic, 1);
    expect(record?.key?.toString()).toBe('order-7');
    expect(record?.value?.toString()).toBe('{"resize":"640x480"}');
    expect(record?.headers?.['handoff-lease-id']?.toString()).toBe(dispatch.lease.id);
    expect(record?.headers?.['handoff-attempt']?.toString()).toBe('1');
    expect(record?.headers?.trace?.toString()).toBe('t-1');
    // Recorded by the claim itself, so Handoff can send it again if the consumer fails.
    const lease = await h.db.prisma.lease.findUniqueOrThrow({ where: { id: dispatch.lease.id } });
    expect(lease).toMatchObject({ topic: consumer.topic });
    const job = await h.db.prisma.job.findUniqueOrThrow({ where: { id: lease.jobId! } });
    expect(job).toMatchObject({ state: 'DISPATCHED', messageKey: 'order-7', messageValue: '{"resize":"640x480"}', messageHeaders: { trace: 't-1' } });
    expect(lease.dispatchedAt).toBeInstanceOf(Date);
    expect(lease.expiresAt.getTime() - lease.dispatchedAt!.getTime()).toBe(h.config.processingTtlMs);
  });

  it('with no free consumer and waitMs 500: NO_FREE_CONSUMER after about 500 ms, nothing produced', async () => {
    const pool = unique('p');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    await h.client.request(SetStatus, { id: consumer.id, status: 'BUSY', epoch: 1 });
    const started = Date.now();
    const result = await h.client.execute(DispatchJob, { pool, waitMs: 500, message: { value: 'job' } });
    const elapsed = Date.now() - started;
    expect(result.errors?.[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(elapsed).toBeLessThan(2_000);
    expect(await recordCount(consumer.topic)).toBe(0);
    expect((await h.client.request(GetStats, { pool })).stats).toMatchObject({ inFlight: 0, waitingProducers: 0 });
  });

  it('with a consumer freed at 200 ms: dispatched to it', async () => {
    const pool = unique('p');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    await h.client.request(SetStatus, { id: consumer.id, status: 'BUSY', epoch: 1 });
    const freeing = sleep(200).then(() => h.client.request(SetStatus, { id: consumer.id, status: 'FREE', epoch: 1 }));
    const started = Date.now();
    const { dispatch } = await h.client.request(DispatchJob, { pool, waitMs: 2_000, message: { value: 'job' } });
    await freeing;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(dispatch.lease.consumer.id).toBe(consumer.id);
    expect(await recordCount(consumer.topic)).toBe(1);
  });

  it('a message over the size limit: BAD_USER_INPUT, nothing claimed, nothing produced', async () => {
    const pool = unique('p');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const result = await h.client.execute(DispatchJob, { pool, message: { value: 'x'.repeat(h.config.limits.maxMessageBytes + 1) } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await h.client.request(GetConsumer, { id: consumer.id })).consumer?.inFlight).toBe(0);
    expect(await recordCount(consumer.topic)).toBe(0);
  });
});

describe.skipIf(!kafkaBrokers)('Kafka failures', () => {
  it('Kafka unreachable at start: the registry works, /ready says kafka down, dispatch is KAFKA_UNAVAILABLE and claims nothing', async () => {
    const port = await freePort();
    const h = await startHarness('pglite', { kafka: { brokers: [`127.0.0.1:${port}`], clientId: 'handoff-test', produceTimeoutMs: 1_000 } });
    try {
      const pool = unique('p');
      const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
      expect(consumer.status).toBe('FREE');
      const ready = await fetch(h.server.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, database: 'up', kafka: 'down' });
      const result = await h.client.execute(DispatchJob, { pool, message: { value: 'job' } });
      expect(result.errors?.[0]?.extensions?.code).toBe('KAFKA_UNAVAILABLE');
      expect((await h.client.request(GetConsumer, { id: consumer.id })).consumer).toMatchObject({ inFlight: 0, status: 'FREE' });
    } finally {
      await h.close();
    }
  });

  it('the broker stops mid-test: dispatch fails with KAFKA_UNAVAILABLE, the lease is released and the consumer is free again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-kafka-stop-'));
    const broker = await startKafkaBroker({ dataDir, removeOnStop: true, log: () => {} });
    const h = await startHarness('postgres', { kafka: { brokers: [broker.brokers], clientId: 'handoff-test', produceTimeoutMs: 2_000 } });
    try {
      const pool = unique('p');
      const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
      const first = await h.client.request(DispatchJob, { pool, message: { value: 'before' } });
      expect(first.dispatch.offset).toBe('0');
      await h.client.request(CompleteLease, { id: first.dispatch.lease.id });

      await broker.stop();
      const result = await h.client.execute(DispatchJob, { pool, message: { value: 'during' } });
      expect(result.errors?.[0]?.extensions?.code).toBe('KAFKA_UNAVAILABLE');
      expect(result.errors?.[0]?.message).toMatch(/released/);
      const after = (await h.client.request(GetConsumer, { id: consumer.id })).consumer;
      expect(after).toMatchObject({ inFlight: 0, status: 'FREE' });
      const leases = await h.db.prisma.lease.findMany({ where: { consumerId: consumer.id }, orderBy: { claimedAt: 'asc' } });
      expect(leases.map((lease) => lease.state)).toEqual(['COMPLETED', 'RELEASED']);
    } finally {
      await h.close();
      await broker.stop();
    }
  }, 90_000);
});
