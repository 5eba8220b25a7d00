// The operator's actions through GraphQL, on PGlite and PostgreSQL with Kafka: drain, resume and remove
// a consumer; requeue and expire a lease; replay and discard a dead letter; cancel a job — each written
// to the audit log with the key that did it, each refused precisely (changing nothing, writing nothing)
// when it cannot apply, and all of them for ADMIN keys only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListAuditLogQuery } from '../src/client/generated/graphql.js';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import {
  CancelJob,
  ClaimFreeConsumer,
  CompleteLease,
  CreateApiKey,
  DiscardDeadLetter,
  DrainConsumer,
  ExpireLease,
  FailLease,
  GetConsumer,
  GetJob,
  GetStats,
  Heartbeat,
  ListAuditLog,
  ListDeadLetters,
  ListLeasesInFlight,
  ListPoolSamples,
  RegisterConsumer,
  RemoveConsumer,
  ReplayDeadLetter,
  RequeueLease,
  ResumeConsumer,
  SetStatus,
  SubmitJobs,
} from '../src/client/operations.js';
import { previewOf } from '../src/coordinator/admin.js';
import { heldBy } from './support/backlog.js';
import { backends } from './support/databases.js';
import { type Harness, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords } from './support/kafka.js';

/** The codes of a refused operation's errors. */
const codesOf = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] | undefined }) =>
  result.errors?.map((error) => error.extensions?.code);

describe('a dead letter’s preview', () => {
  it('shows at most 200 characters, by code point, with control and invisible characters escaped', () => {
    expect(previewOf('plain')).toEqual({ text: 'plain', truncated: false });
    expect(previewOf('a\nb\tc\u001b[31mred\u202eevil\u0000')).toEqual({ text: 'a\\nb\\tc\\u001b[31mred\\u202eevil\\u0000', truncated: false });
    const long = '😀'.repeat(250);
    const shown = previewOf(long);
    expect(shown.truncated).toBe(true);
    expect(Array.from(shown.text)).toHaveLength(200);
    expect(shown.text).toBe('😀'.repeat(200));
  });
});

describe.skipIf(!kafkaBrokers).each(backends)('the operator’s actions on %s', (backend) => {
  let h: Harness;
  let adminKeyId: string;
  const maxAttempts = 2;
  beforeAll(async () => {
    h = await startHarness(backend, {
      kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      maxAttempts,
      sweepIntervalMs: 100,
      sampleIntervalMs: 1_000,
      // These consumers never heartbeat: they stay alive (and keep their leases) however slow the run.
      heartbeatTtlMs: 600_000,
    });
    adminKeyId = (await h.db.prisma.apiKey.findFirstOrThrow({ where: { role: 'ADMIN' } })).id;
  });
  afterAll(() => h?.close());

  const register = async (pool: string, name: string, input: { capacity?: number; status?: 'FREE' | 'BUSY' } = {}) =>
    (await h.client.request(RegisterConsumer, { input: { id: `${pool}-${name}`, pool, ...input } })).registerConsumer;
  const auditOf = async (target: string) => (await h.client.request(ListAuditLog, { first: 500 })).auditLog.nodes.filter((entry) => entry.target === target);
  /** The pool's rows (other tests' consumers go OFFLINE meanwhile) and the audit log's size. */
  const rowsOf = async (pool: string) => {
    const { prisma } = h.db;
    return {
      consumers: await prisma.consumer.findMany({ where: { pool }, orderBy: { id: 'asc' } }),
      leases: await prisma.lease.findMany({ where: { pool }, orderBy: { id: 'asc' } }),
      jobs: await prisma.job.findMany({ where: { pool }, orderBy: { id: 'asc' } }),
      audit: await prisma.auditEntry.count(),
    };
  };
  /** Refusals change nothing: no consumer, lease or job row, no audit entry. */
  const unchangedBy = async (pool: string, refused: () => Promise<void>) => {
    const before = await rowsOf(pool);
    await refused();
    expect(await rowsOf(pool)).toEqual(before);
  };
  /** A job of the pool, submitted and taken by `consumer` (which must be FREE with a slot). */
  const jobOn = async (pool: string, consumerId: string, value: string) => {
    const [job] = (await h.client.request(SubmitJobs, { pool, jobs: [{ value }] })).submitJobs;
    return eventually(async () => (await heldBy(h.db, consumerId)).find((held) => held.jobId === job!.id));
  };
  /** A job the consumer fails on every attempt, until the sweeper has written it to the dead-letter topic. */
  const deadLetter = async (pool: string, consumer: { id: string; epoch: number }, value: string) => {
    const { jobId } = await jobOn(pool, consumer.id, value);
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const held = await eventually(async () => (await heldBy(h.db, consumer.id)).find((lease) => lease.jobId === jobId));
      await h.client.request(FailLease, { id: held.leaseId, reason: `cannot decode ${value}`, consumerId: consumer.id, epoch: consumer.epoch });
    }
    return eventually(async () => {
      const job = (await h.client.request(GetJob, { id: jobId! })).job;
      return job?.state === 'DEAD_LETTERED' ? job : undefined;
    }, 15_000);
  };

  it('drains, resumes and removes a consumer; each is audited with the key, and a drain is no sign of life', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w', { capacity: 2 });
    const { drainConsumer } = await h.client.request(DrainConsumer, { id: worker.id });
    expect(drainConsumer).toMatchObject({ status: 'DRAINING', declaredStatus: 'DRAINING', epoch: worker.epoch });
    expect(codesOf(await h.client.execute(ClaimFreeConsumer, { pool }))).toEqual(['NO_FREE_CONSUMER']);
    // The consumer's own epoch still works: the operator did not re-register it.
    await h.client.request(Heartbeat, { id: worker.id, epoch: worker.epoch });

    const { resumeConsumer } = await h.client.request(ResumeConsumer, { id: worker.id });
    expect(resumeConsumer).toMatchObject({ status: 'FREE', declaredStatus: 'FREE' });
    const { removeConsumer } = await h.client.request(RemoveConsumer, { id: worker.id });
    expect(removeConsumer.id).toBe(worker.id);
    expect((await h.client.request(GetConsumer, { id: worker.id })).consumer).toBeNull();

    const entries = await auditOf(worker.id);
    expect(entries.map((entry) => entry.action)).toEqual(['REMOVE_CONSUMER', 'RESUME_CONSUMER', 'DRAIN_CONSUMER']);
    expect(entries.every((entry) => entry.actorKeyId === adminKeyId && entry.actorRole === 'ADMIN' && entry.pool === pool)).toBe(true);
    expect(entries[2]?.summary).toBe('FREE → DRAINING; it holds no lease');
    expect(entries[1]?.summary).toBe('DRAINING → FREE');
    expect(entries[0]?.summary).toMatch(/^deregistered \(was FREE\)/);

    // An OFFLINE consumer drained by an operator stays OFFLINE: the operator is not the consumer.
    const silent = await register(pool, 'silent');
    await h.db.prisma.consumer.update({ where: { id: silent.id }, data: { offlineSince: new Date() } });
    const drained = (await h.client.request(DrainConsumer, { id: silent.id })).drainConsumer;
    expect(drained).toMatchObject({ status: 'OFFLINE', declaredStatus: 'DRAINING', alive: false });
  });

  it('refuses what cannot apply, precisely, changing nothing and writing no audit entry', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
    await h.client.request(DrainConsumer, { id: worker.id });
    await unchangedBy(pool, async () => {
      expect(codesOf(await h.client.execute(DrainConsumer, { id: worker.id }))).toEqual(['CONFLICT']); // already DRAINING
      expect(codesOf(await h.client.execute(DrainConsumer, { id: `${pool}-nobody` }))).toEqual(['NOT_FOUND']);
      expect(codesOf(await h.client.execute(DrainConsumer, { id: 'not an id!' }))).toEqual(['BAD_USER_INPUT']);
      const removal = await h.client.execute(RemoveConsumer, { id: worker.id });
      expect(codesOf(removal)).toEqual(['CONFLICT']); // it holds a lease: drain first, let it end
      expect(removal.errors?.[0]?.message).toBe(
        `consumer ${worker.id} holds 1 lease(s): drain it and let them end (or requeue or expire them), then remove it`,
      );
      expect(codesOf(await h.client.execute(RequeueLease, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
      expect(codesOf(await h.client.execute(ExpireLease, { id: 'nope' }))).toEqual(['BAD_USER_INPUT']);
      expect(codesOf(await h.client.execute(RequeueLease, { id: claimFreeConsumer.id, reason: 'x'.repeat(501) }))).toEqual(['BAD_USER_INPUT']);
      expect(codesOf(await h.client.execute(ReplayDeadLetter, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual(['NOT_FOUND']);
      expect(codesOf(await h.client.execute(DiscardDeadLetter, { id: 'nope' }))).toEqual(['BAD_USER_INPUT']);
      expect(codesOf(await h.client.execute(ListAuditLog, { after: 'bm90LWEtY3Vyc29y' }))).toEqual(['BAD_USER_INPUT']);
    });
    await h.client.request(ResumeConsumer, { id: worker.id });
    await unchangedBy(pool, async () => {
      expect(codesOf(await h.client.execute(ResumeConsumer, { id: worker.id }))).toEqual(['CONFLICT']); // not DRAINING
    });
    // A lease that ended can be neither requeued nor expired.
    await h.client.request(RequeueLease, { id: claimFreeConsumer.id });
    await unchangedBy(pool, async () => {
      const again = await h.client.execute(ExpireLease, { id: claimFreeConsumer.id });
      expect(codesOf(again)).toEqual(['CONFLICT']);
      expect(again.errors?.[0]?.message).toBe(`lease ${claimFreeConsumer.id} is already RELEASED: only a CLAIMED or DISPATCHED lease can be requeued or expired`);
    });
  });

  it('lists leases in flight with age, attempt and consumer; requeue puts the job first in line, attempts kept', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const held = await jobOn(pool, worker.id, 'first');
    // A second job waits behind it; the consumer goes BUSY so nothing takes the requeued job yet.
    const [second] = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'second' }] })).submitJobs;
    await h.client.request(SetStatus, { id: worker.id, status: 'BUSY', epoch: worker.epoch });

    const { leasesInFlight } = await h.client.request(ListLeasesInFlight, { pool });
    expect(leasesInFlight.nodes).toHaveLength(1);
    const [listed] = leasesInFlight.nodes;
    expect(listed).toMatchObject({ id: held.leaseId, pool, jobId: held.jobId, topic: worker.topic, lease: { state: 'DISPATCHED', attempt: 1, consumer: { id: worker.id } } });
    expect(listed!.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(listed!.expiresInSeconds).toBeGreaterThan(0);

    const { requeueLease } = await h.client.request(RequeueLease, { id: held.leaseId, reason: 'consumer hung' });
    expect(requeueLease).toMatchObject({ state: 'RELEASED', endReason: 'requeued by an operator: consumer hung' });
    expect((await h.client.request(GetJob, { id: held.jobId! })).job).toMatchObject({ state: 'PENDING', attempts: 1 });
    const [entry] = await auditOf(held.leaseId);
    expect(entry).toMatchObject({ action: 'REQUEUE_LEASE', pool, actorKeyId: adminKeyId });
    expect(entry!.summary).toMatch(new RegExp(`^DISPATCHED lease of consumer ${worker.id} \\(attempt 1, held \\d+ s\\): RELEASED; job ${held.jobId} waits first in line \\(attempts kept: 1\\): consumer hung$`));

    // First in line: the freed slot takes it before the job submitted ahead of its replay.
    await h.client.request(SetStatus, { id: worker.id, status: 'FREE', epoch: worker.epoch });
    const next = await eventually(async () => (await heldBy(h.db, worker.id))[0]);
    expect(next.jobId).toBe(held.jobId);
    expect((await h.db.prisma.lease.findUniqueOrThrow({ where: { id: next.leaseId } })).attempt).toBe(2);
    expect((await h.client.request(GetJob, { id: second!.id })).job?.state).toBe('PENDING');
  });

  it('expire sends the job again, and after its last attempt dead-letters it', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const first = await jobOn(pool, worker.id, 'expiring');
    const { expireLease } = await h.client.request(ExpireLease, { id: first.leaseId });
    expect(expireLease).toMatchObject({ state: 'EXPIRED', endReason: 'expired by an operator' });
    const second = await eventually(async () => (await heldBy(h.db, worker.id)).find((held) => held.jobId === first.jobId));
    expect((await auditOf(first.leaseId))[0]?.summary).toMatch(new RegExp(`job ${first.jobId} is sent again \\(attempt 2 of ${maxAttempts}\\)$`));
    await h.client.request(ExpireLease, { id: second.leaseId });
    expect((await auditOf(second.leaseId))[0]?.summary).toMatch(new RegExp(`job ${first.jobId} is dead-lettered \\(attempt 2 of ${maxAttempts}\\)$`));
    await eventually(async () => ((await h.client.request(GetJob, { id: first.jobId! })).job?.state === 'DEAD_LETTERED' ? true : undefined), 15_000);

    // A claim without a job just ends.
    const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
    expect((await h.client.request(ExpireLease, { id: claimFreeConsumer.id })).expireLease.state).toBe('EXPIRED');
    expect((await auditOf(claimFreeConsumer.id))[0]?.summary).toMatch(/: EXPIRED; a claim without a job: it just ends$/);
  });

  it('lists dead letters with reason and an escaped, capped preview; replay gives the job its attempts again, first in line', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const payload = `\u001b[2J${'x'.repeat(300)}`;
    const dead = await deadLetter(pool, worker, payload);
    expect((await h.client.request(GetStats, { pool })).stats.deadLettered).toBe(1);

    const { deadLetters } = await h.client.request(ListDeadLetters, { pool });
    expect(deadLetters.nodes).toHaveLength(1);
    const [listed] = deadLetters.nodes;
    expect(listed).toMatchObject({
      id: dead.id,
      state: 'DEAD_LETTERED',
      attempts: maxAttempts,
      reason: `cannot decode ${payload}`,
      valueBytes: Buffer.byteLength(payload),
      value: { truncated: true },
      key: null,
      lastConsumerId: worker.id,
      topic: `handoff.${pool}.dlq`,
    });
    expect(listed!.value.text).toBe(`\\u001b[2J${'x'.repeat(196)}`);
    // The record on the dead-letter topic is what the sweeper wrote; a replay leaves it there.
    expect((await readRecords(`handoff.${pool}.dlq`, 1))[0]?.value?.toString()).toBe(payload);

    // Replay: the next free slot takes it before a job that was waiting already; it starts at attempt 1.
    await h.client.request(SetStatus, { id: worker.id, status: 'BUSY', epoch: worker.epoch });
    const [waiting] = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'was waiting' }] })).submitJobs;
    const { replayDeadLetter } = await h.client.request(ReplayDeadLetter, { id: dead.id });
    expect(replayDeadLetter).toMatchObject({ state: 'PENDING', attempts: 0, endReason: null });
    expect((await h.client.request(GetStats, { pool })).stats.deadLettered).toBe(0);
    expect((await h.client.request(ListDeadLetters, { pool })).deadLetters.nodes).toEqual([]);
    const [entry] = await auditOf(dead.id);
    expect(entry).toMatchObject({ action: 'REPLAY_DEAD_LETTER', actorKeyId: adminKeyId });
    expect(entry!.summary).toMatch(new RegExp(`^DEAD_LETTERED after ${maxAttempts} attempt\\(s\\) \\(cannot decode .*\\) → PENDING, first in line, attempts reset to 0$`));
    await h.client.request(SetStatus, { id: worker.id, status: 'FREE', epoch: worker.epoch });
    const again = await eventually(async () => (await heldBy(h.db, worker.id))[0]);
    expect(again.jobId).toBe(dead.id);
    expect((await h.db.prisma.lease.findUniqueOrThrow({ where: { id: again.leaseId } })).attempt).toBe(1);
    expect((await h.client.request(GetJob, { id: waiting!.id })).job?.state).toBe('PENDING');
    // A job that is not dead-lettered is neither replayed nor discarded.
    await unchangedBy(pool, async () => {
      expect(codesOf(await h.client.execute(ReplayDeadLetter, { id: dead.id }))).toEqual(['CONFLICT']);
      expect(codesOf(await h.client.execute(DiscardDeadLetter, { id: waiting!.id }))).toEqual(['CONFLICT']);
    });
    await h.client.request(CompleteLease, { id: again.leaseId, consumerId: worker.id, epoch: worker.epoch });
  });

  it('discards a dead letter, and cancelling a pending job is audited too', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const dead = await deadLetter(pool, worker, 'poison');
    const { discardDeadLetter } = await h.client.request(DiscardDeadLetter, { id: dead.id, reason: 'known bad input' });
    expect(discardDeadLetter).toMatchObject({ state: 'CANCELLED', endReason: 'discarded by an operator: known bad input' });
    expect((await auditOf(dead.id))[0]?.summary).toBe(`DEAD_LETTERED after ${maxAttempts} attempt(s) → CANCELLED: known bad input`);

    await h.client.request(SetStatus, { id: worker.id, status: 'BUSY', epoch: worker.epoch });
    const [pending] = (await h.client.request(SubmitJobs, { pool, jobs: [{ value: 'not wanted', priority: 3 }] })).submitJobs;
    await h.client.request(CancelJob, { id: pending!.id });
    const [entry] = await auditOf(pending!.id);
    expect(entry).toMatchObject({ action: 'CANCEL_JOB', pool, actorKeyId: adminKeyId });
    expect(entry!.summary).toMatch(/^PENDING → CANCELLED \(priority 3, submitted /);
  });

  it('ADMIN keys only: a PRODUCER key of the pool is FORBIDDEN every action and read, and changes nothing', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    const held = await jobOn(pool, worker.id, 'mine');
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool } });
    const producer = new GraphQLClient({ url: h.server.url, headers: { authorization: `Bearer ${createApiKey.token}` } });
    try {
      await unchangedBy(pool, async () => {
        const refused = await Promise.all([
          producer.execute(DrainConsumer, { id: worker.id }),
          producer.execute(ResumeConsumer, { id: worker.id }),
          producer.execute(RemoveConsumer, { id: worker.id }),
          producer.execute(RequeueLease, { id: held.leaseId }),
          producer.execute(ExpireLease, { id: held.leaseId }),
          producer.execute(ReplayDeadLetter, { id: held.jobId! }),
          producer.execute(DiscardDeadLetter, { id: held.jobId! }),
          producer.execute(ListLeasesInFlight, { pool }),
          producer.execute(ListDeadLetters, { pool }),
          producer.execute(ListAuditLog, {}),
          producer.execute(ListPoolSamples, { pool }),
        ]);
        expect(refused.map(codesOf)).toEqual(refused.map(() => ['FORBIDDEN']));
      });
    } finally {
      await producer.close();
    }
  });

  it('pages through the audit log, newest first', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    for (let i = 0; i < 3; i += 1) {
      await h.client.request(DrainConsumer, { id: worker.id });
      await h.client.request(ResumeConsumer, { id: worker.id });
    }
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: ListAuditLogQuery = await h.client.request(ListAuditLog, { first: 2, after });
      seen.push(...page.auditLog.nodes.filter((entry) => entry.target === worker.id).map((entry) => entry.action));
      after = page.auditLog.pageInfo.hasNextPage ? (page.auditLog.pageInfo.endCursor ?? null) : null;
    } while (after);
    expect(seen).toEqual(['RESUME_CONSUMER', 'DRAIN_CONSUMER', 'RESUME_CONSUMER', 'DRAIN_CONSUMER', 'RESUME_CONSUMER', 'DRAIN_CONSUMER']);
  });

  it('samples each pool every interval — claims, completions, waits, consumers by status — the same from another replica', async () => {
    const pool = unique('ops');
    const worker = await register(pool, 'w');
    await register(pool, 'busy', { status: 'BUSY' });
    for (let i = 0; i < 3; i += 1) {
      const held = await jobOn(pool, worker.id, `job ${i}`);
      await h.client.request(CompleteLease, { id: held.leaseId, consumerId: worker.id, epoch: worker.epoch });
    }
    const sampled = await eventually(async () => {
      const samples = (await h.client.request(ListPoolSamples, { pool })).poolSamples;
      const claims = samples.reduce((sum, sample) => sum + sample.claims, 0);
      const completions = samples.reduce((sum, sample) => sum + sample.completions, 0);
      return claims === 3 && completions === 3 ? samples : undefined;
    }, 15_000);
    expect(sampled.every((sample) => sample.pool === pool && sample.intervalSeconds === 1)).toBe(true);
    const withClaims = sampled.filter((sample) => sample.claims > 0);
    expect(withClaims.every((sample) => sample.waitP50Seconds !== null && sample.waitP99Seconds! >= sample.waitP50Seconds!)).toBe(true);
    expect(withClaims.every((sample) => sample.claimsPerSecond === sample.claims)).toBe(true);
    const last = sampled.at(-1)!;
    expect(last).toMatchObject({ busy: 1, offline: 0, draining: 0, capacity: 2, backlog: 0 });
    expect(last.free + last.full).toBe(1);
    // Intervals are aligned, one sample each (any replica may write it, only one does).
    const times = sampled.map((sample) => Date.parse(sample.at));
    expect(new Set(times).size).toBe(times.length);
    expect(times.every((at) => at % 1_000 === 0)).toBe(true);

    // A server restarted on the same database (another replica, as far as the page can tell) reads the same hour.
    await h.restart();
    const afterRestart = (await h.client.request(ListPoolSamples, { pool })).poolSamples;
    expect(afterRestart.slice(0, sampled.length)).toEqual(sampled);
    const since = afterRestart.at(-1)!.at;
    await sleep(2_500);
    const newer = (await h.client.request(ListPoolSamples, { pool, since })).poolSamples;
    expect(newer.every((sample) => Date.parse(sample.at) > Date.parse(since))).toBe(true);
  });
});
