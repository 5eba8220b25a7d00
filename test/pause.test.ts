// Pauses, not crashes: a process stopped (SIGSTOP: a GC pause, a frozen container, a laptop lid) for
// longer than the heartbeat TTL, then resumed (SIGCONT). A stopped consumer loses its job to another
// and, resumed, stops it without completing it; a stopped replica makes no one OFFLINE, neither while
// it is stopped (the others wait for the evidence it holds) nor once it resumes (it knows it was late).
// Real processes, real PostgreSQL and Kafka; every wait is bounded.
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer, type Job } from '../src/client/index.js';
import { CompleteLease, GetConsumer, GetLease, SetStatus } from '../src/client/operations.js';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';
import { sessionBeatMs } from '../src/coordinator/sessions.js';
import { type TestDatabase, createTestDatabase } from './support/databases.js';
import { type Harness, adminEnv, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';
import { startWorker } from './support/worker.js';

const children: ChildProcess[] = [];
const kill = (child: ChildProcess) => {
  // A stopped process must be resumed to die of SIGTERM; SIGKILL needs no resuming.
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};

describe.skipIf(!kafkaBrokers)('a consumer stopped mid-job for longer than the TTL (SIGSTOP, then SIGCONT)', () => {
  let h: Harness;
  const kafka = { brokers: kafkaBrokers.split(',') };
  const heartbeatTtlMs = 2_000;
  // Long enough that the lease never runs out by its deadline during the pause: only the verdict takes it.
  const leaseExtensionMs = 20_000;
  beforeAll(async () => {
    h = await startHarness('postgres', {
      heartbeatTtlMs,
      sweepIntervalMs: 100,
      kafka: { brokers: kafka.brokers, clientId: 'handoff-test', produceTimeoutMs: 5_000 },
    });
  });
  afterEach(() => children.splice(0).forEach(kill));
  afterAll(() => h?.close());

  it('the job goes once to the other consumer (attempt 2); resumed, the handler sees its signal abort within one extension interval, its completion is refused, nothing is completed twice', async () => {
    const pool = unique('p');
    const doomedId = `${pool}-paused`;
    const worker = startWorker([h.server.url], doomedId, pool, { leaseExtensionMs, jobMs: 60_000 });
    children.push(worker.child);
    await eventually(() => (worker.printed('ready') ? true : undefined), 30_000);

    const survivorJobs: Job[] = [];
    const survivor = new HandoffConsumer({
      url: h.server.url,
      headers: adminHeaders,
      id: `${pool}-survivor`,
      pool,
      kafka,
      handler: async (job) => void survivorJobs.push(job),
    });
    await survivor.start();
    await h.client.request(SetStatus, { id: `${pool}-survivor`, status: 'BUSY', epoch: 1 });

    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });
    const sent = await producer.dispatch(pool, { key: 'k', value: 'the job' });
    await producer.close();
    expect(sent.lease.consumer.id).toBe(doomedId);
    await eventually(() => (worker.printed(`started ${sent.lease.id} 1`) ? true : undefined), 15_000);

    worker.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await h.client.request(SetStatus, { id: `${pool}-survivor`, status: 'FREE', epoch: 1 });
    // Judged OFFLINE after the TTL (plus however late this loaded machine made the replica), and the job sent again.
    await eventually(() => (survivorJobs.length > 0 ? true : undefined), 30_000);
    // Silence counts from the last answer heard, up to one session beat before the stop.
    expect(Date.now() - stoppedAt).toBeGreaterThan(heartbeatTtlMs - sessionBeatMs(heartbeatTtlMs));
    expect(survivorJobs.map((job) => [job.attempt, job.value])).toEqual([[2, 'the job']]);
    await eventually(async () => ((await h.client.request(GetLease, { id: survivorJobs[0]!.leaseId })).lease?.state === 'COMPLETED' ? true : undefined));

    // Stopped for two TTLs at least, then resumed.
    await sleep(Math.max(0, stoppedAt + 2 * heartbeatTtlMs - Date.now()));
    worker.child.kill('SIGCONT');
    const resumedAt = Date.now();
    await eventually(() => (worker.printed(`aborted ${sent.lease.id}`) ? true : undefined), leaseExtensionMs / 2);
    expect(Date.now() - resumedAt).toBeLessThanOrEqual(leaseExtensionMs / 2);
    expect(worker.printed(`lost ${sent.lease.id}`)).toBe(true);

    // Its completion, were it sent, is refused: the lease ended when the consumer was judged OFFLINE.
    const refused = await h.client.execute(CompleteLease, { id: sent.lease.id, consumerId: doomedId, epoch: sent.lease.consumer.epoch });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await sleep(500); // a completion the SDK wrongly sent would land now
    expect(worker.printed(`done ${sent.lease.id}`)).toBe(false);

    const leases = await h.db.prisma.lease.findMany({ where: { pool }, orderBy: { attempt: 'asc' } });
    expect(leases.map((lease) => [lease.attempt, lease.state, lease.endReason])).toEqual([
      [1, 'EXPIRED', 'consumer went offline'],
      [2, 'COMPLETED', null],
    ]);
    // The soak's accounting: the job finished once, by the survivor; the paused handler finished nothing.
    expect(survivorJobs).toHaveLength(1);
    expect(worker.output().split('\n').filter((line) => line.startsWith('done '))).toEqual([]);

    // Resumed, it answers again: alive at the same epoch, so the verdict is counted as a false OFFLINE
    // (it was unreachable, not dead; what it ran meanwhile was stopped above).
    await eventually(async () => ((await h.client.request(GetConsumer, { id: doomedId })).consumer?.alive ? true : undefined), 10_000);
    const row = await h.db.prisma.consumer.findUniqueOrThrow({ where: { id: doomedId } });
    expect([row.offlineVerdicts, row.falseOfflines]).toEqual([1, 1]);
    await survivor.stop();
  }, 90_000);
});

describe.skipIf(!kafkaBrokers)('a replica stopped for longer than the TTL (SIGSTOP, then SIGCONT)', () => {
  let database: TestDatabase;
  const replicas: ServerProcess[] = [];
  const heartbeatTtlMs = 2_000;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = { ...adminEnv, KAFKA_BROKERS: kafkaBrokers, HANDOFF_SWEEP_INTERVAL_MS: '100', HANDOFF_HEARTBEAT_TTL_MS: String(heartbeatTtlMs) };
    for (let i = 0; i < 2; i++) replicas.push(await startServerProcess(database, env));
  });
  afterEach(() => children.splice(0).forEach(kill));
  afterAll(async () => {
    for (const replica of replicas) replica.child.kill('SIGCONT');
    await Promise.all(replicas.map((replica) => replica.stop()));
    await database?.drop();
  });

  it('no consumer is judged OFFLINE, by the others while it is stopped or by it once resumed; the job is done once, by its consumer; a consumer that really dies is still judged after', async () => {
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    const admin = new GraphQLClient({ url: a.url, headers: adminHeaders });
    const pool = unique('p');
    const kafka = { brokers: kafkaBrokers.split(',') };
    // The worker knows only replica B: its session, heartbeats and completion all go there.
    const jobMs = 4 * heartbeatTtlMs;
    const worker = startWorker([b.url], `${pool}-on-b`, pool, { leaseExtensionMs: 60_000, jobMs });
    children.push(worker.child);
    await eventually(() => (worker.printed('ready') ? true : undefined), 30_000);
    const others: Job[] = [];
    const bystander = new HandoffConsumer({ url: a.url, headers: adminHeaders, id: `${pool}-on-a`, pool, kafka, handler: async (job) => void others.push(job) });
    await bystander.start();
    await admin.request(SetStatus, { id: `${pool}-on-a`, status: 'BUSY', epoch: 1 });

    const producer = new HandoffProducer({ url: a.url, headers: adminHeaders, kafka });
    const sent = await producer.dispatch(pool, { key: 'k', value: 'the job' });
    await producer.close();
    expect(sent.lease.consumer.id).toBe(`${pool}-on-b`);
    await eventually(() => (worker.printed(`started ${sent.lease.id} 1`) ? true : undefined), 15_000);
    await admin.request(SetStatus, { id: `${pool}-on-a`, status: 'FREE', epoch: 1 });

    b.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // Three TTLs during which the worker's signs of life wait in B's sockets: A, which hears nothing of
    // it, waits while B is silent instead of judging it.
    while (Date.now() - stoppedAt < 3 * heartbeatTtlMs) {
      expect((await admin.request(GetConsumer, { id: `${pool}-on-b` })).consumer?.alive).toBe(true);
      await sleep(200);
    }
    b.child.kill('SIGCONT');

    await eventually(() => (worker.printed(`done ${sent.lease.id}`) ? true : undefined), jobMs + 20_000);
    await eventually(async () => ((await admin.request(GetLease, { id: sent.lease.id })).lease?.state === 'COMPLETED' ? true : undefined), 10_000);
    expect(worker.printed(`lost ${sent.lease.id}`)).toBe(false);
    expect(worker.printed(`aborted ${sent.lease.id}`)).toBe(false);
    expect(others).toEqual([]);
    const inspect = new pg.Client({ connectionString: database.databaseUrl });
    await inspect.connect();
    try {
      const verdicts = await inspect.query('SELECT offline_verdicts, false_offlines FROM consumers WHERE id = $1', [`${pool}-on-b`]);
      expect(verdicts.rows).toEqual([{ offline_verdicts: 0, false_offlines: 0 }]);
      const leases = await inspect.query('SELECT attempt, state::text FROM leases WHERE pool = $1', [pool]);
      expect(leases.rows).toEqual([{ attempt: 1, state: 'COMPLETED' }]);
    } finally {
      await inspect.end();
    }

    // The wait is not for ever: once B caught up, a consumer that really stopped is judged OFFLINE.
    worker.child.kill('SIGKILL');
    await eventually(async () => ((await admin.request(GetConsumer, { id: `${pool}-on-b` })).consumer?.status === 'OFFLINE' ? true : undefined), 30_000);
    await bystander.stop();
    await admin.close();
  }, 120_000);
});
