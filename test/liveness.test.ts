// Liveness and failure: heartbeats and OFFLINE, redelivery of a job whose consumer died, the
// dead-letter topic, and fencing of zombie instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer, type Job } from '../src/client/index.js';
import {
  GetLease,
  GetStats,
  ClaimFreeConsumer,
  CompleteLease,
  DispatchJob,
  GetConsumer,
  Heartbeat,
  RegisterConsumer,
  SetStatus,
} from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, snapshot, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords } from './support/kafka.js';
import { startWorker } from './support/worker.js';

describe.each(backends)('heartbeats and fencing on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { heartbeatTtlMs: 1_000, sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  it('a consumer silent past the heartbeat TTL goes OFFLINE, is never claimed, and a heartbeat brings it back', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await eventually(async () => ((await h.client.request(GetConsumer, { id })).consumer?.status === 'OFFLINE' ? true : undefined));
    await expect(h.client.request(ClaimFreeConsumer, { pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });
    const back = await h.client.request(Heartbeat, { id, epoch: 1 });
    expect(back.heartbeat.status).toBe('FREE');
    expect((await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer.consumer.id).toBe(id);
  });

  it('a zombie (old epoch) is refused with STALE_EPOCH and changes nothing of the new instance', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 2 });
    const lease = await h.client.execute(ClaimFreeConsumer, { pool });
    expect(lease.errors?.[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
    await h.client.request(SetStatus, { id, status: 'FREE', epoch: 2 });
    const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool });
    // Left silent until judged OFFLINE, so the sweeper has nothing more to change (on a loaded machine
    // the test can outlast the TTL): a zombie's calls must not even bring it back.
    await eventually(async () => ((await h.client.request(GetConsumer, { id })).consumer?.status === 'OFFLINE' ? true : undefined));

    const before = await snapshot(h.db);
    for (const result of [
      await h.client.execute(SetStatus, { id, status: 'FREE', epoch: 1 }),
      await h.client.execute(Heartbeat, { id, epoch: 1 }),
      await h.client.execute(CompleteLease, { id: claimFreeConsumer.id, consumerId: id, epoch: 1 }),
    ]) {
      expect(result.errors?.[0]?.extensions?.code).toBe('STALE_EPOCH');
    }
    expect(await snapshot(h.db)).toEqual(before);
  });
});

describe.skipIf(!kafkaBrokers)('redelivery and dead letters on PostgreSQL with a real Kafka broker', () => {
  let h: Harness;
  const kafka = { brokers: kafkaBrokers.split(',') };
  const heartbeatTtlMs = 1_500;
  beforeAll(async () => {
    h = await startHarness('postgres', {
      heartbeatTtlMs,
      sweepIntervalMs: 100,
      kafka: { brokers: kafka.brokers, clientId: 'handoff-test', produceTimeoutMs: 5_000 },
    });
  });
  afterAll(() => h?.close());

  it.each(['dispatch', 'HandoffProducer.send'] as const)('kill -9 of a consumer mid-job (sent by %s): the job goes to another consumer within TTL + 2 s, attempt 2, completed once', async (sentBy) => {
    const pool = unique('p');
    const worker = startWorker([h.server.url], `${pool}-doomed`, pool);
    await eventually(() => (worker.printed('ready') ? true : undefined), 30_000);

    const jobs: Job[] = [];
    const survivor = new HandoffConsumer({
      url: h.server.url,
      headers: adminHeaders,
      id: `${pool}-survivor`,
      pool,
      kafka,
      heartbeatIntervalMs: 200,
      handler: async (job) => void jobs.push(job),
    });
    await survivor.start();
    await h.client.request(SetStatus, { id: `${pool}-survivor`, status: 'BUSY', epoch: 1 });

    const message = { key: 'k', value: 'the job' };
    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });
    const sent = sentBy === 'dispatch' ? await producer.dispatch(pool, message) : await producer.send(pool, message);
    await producer.close();
    expect(sent.lease.consumer.id).toBe(`${pool}-doomed`);
    await eventually(() => (worker.printed(`started ${sent.lease.id} 1`) ? true : undefined), 15_000);

    worker.child.kill('SIGKILL');
    const killedAt = Date.now();
    await h.client.request(SetStatus, { id: `${pool}-survivor`, status: 'FREE', epoch: 1 });
    await eventually(() => (jobs.length > 0 ? true : undefined), heartbeatTtlMs + 2_000);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(heartbeatTtlMs + 2_000);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ attempt: 2, key: 'k', value: 'the job' });

    await eventually(async () => ((await h.client.request(GetLease, { id: jobs[0]!.leaseId })).lease?.state === 'COMPLETED' ? true : undefined));
    const leases = await h.db.prisma.lease.findMany({ where: { pool }, orderBy: { attempt: 'asc' } });
    expect(leases.map((lease) => [lease.attempt, lease.state, lease.endReason])).toEqual([
      [1, 'EXPIRED', 'consumer went offline'],
      [2, 'COMPLETED', null],
    ]);
    expect(leases[0]?.nextLeaseId).toBe(leases[1]?.id);
    await survivor.stop();
  }, 60_000);

  it('a job that always throws: 5 attempts, then on the dead-letter topic with its reason', async () => {
    const pool = unique('p');
    const attempts: number[] = [];
    const failing = [0, 1].map(
      (i) =>
        new HandoffConsumer({
          url: h.server.url,
          headers: adminHeaders,
          id: `${pool}-c${i}`,
          pool,
          kafka,
          handler: async (job) => {
            attempts.push(job.attempt);
            throw new Error(`cannot process ${job.key}`);
          },
          onError: () => {}, // expected: every attempt fails
        }),
    );
    await Promise.all(failing.map((consumer) => consumer.start()));
    await h.client.request(DispatchJob, { pool, message: { key: 'poison', value: 'boom', headers: [{ key: 'trace', value: 't-9' }] } });

    const [dead] = await readRecords(`handoff.${pool}.dlq`, 1, 30_000);
    expect(dead?.key?.toString()).toBe('poison');
    expect(dead?.value?.toString()).toBe('boom');
    expect(dead?.headers?.['handoff-attempt']?.toString()).toBe('5');
    expect(dead?.headers?.['handoff-dead-letter-reason']?.toString()).toBe('cannot process poison');
    expect(dead?.headers?.trace?.toString()).toBe('t-9');
    expect(attempts.sort()).toEqual([1, 2, 3, 4, 5]);

    const leases = await h.db.prisma.lease.findMany({ where: { pool }, orderBy: { attempt: 'asc' } });
    expect(leases.map((lease) => lease.state)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED', 'DEAD_LETTERED']);
    expect(leases.at(-1)?.endReason).toBe('cannot process poison');
    const { stats } = await h.client.request(GetStats, { pool });
    expect(stats.deadLettered).toBe(1);
    await Promise.all(failing.map((consumer) => consumer.stop()));
  }, 60_000);
});
