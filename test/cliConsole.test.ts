// The operator console's commands of the `handoff` CLI, run as a user runs them (a separate process)
// against a real server with Kafka: drain, resume, remove; leases and their requeue and expiry; the
// dead letters listed, replayed and discarded; cancel; the audit log they all write to; and their
// refusals (exit code 1 with the server's code, nothing changed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailLease, GetConsumer, GetJob, RegisterConsumer, SetStatus, SubmitJobs } from '../src/client/operations.js';
import { heldBy } from './support/backlog.js';
import { type CliRun, runHandoff } from './support/cli.js';
import { type Harness, adminToken, eventually, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';

describe.skipIf(!kafkaBrokers)('handoff CLI: the operator console', { timeout: 180_000 }, () => {
  let h: Harness;
  let as: (...args: string[]) => Promise<CliRun>;
  beforeAll(async () => {
    h = await startHarness('pglite', {
      kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      maxAttempts: 1,
      sweepIntervalMs: 100,
      // These consumers never heartbeat: they stay alive (and keep their leases) however slow the run.
      heartbeatTtlMs: 600_000,
    });
    as = (...args) => runHandoff(args, { HANDOFF_URL: h.server.url, HANDOFF_TOKEN: adminToken });
  });
  afterAll(() => h?.close());

  const register = async (pool: string, name: string) =>
    (await h.client.request(RegisterConsumer, { input: { id: `${pool}-${name}`, pool } })).registerConsumer;
  const submit = async (pool: string, value: string) => (await h.client.request(SubmitJobs, { pool, jobs: [{ value }] })).submitJobs[0]!;

  it('--help lists every console command, and each has its own --help', async () => {
    const top = await runHandoff(['--help']);
    const names = ['drain', 'resume', 'remove', 'leases', 'leases requeue', 'leases expire', 'dlq list', 'dlq replay', 'dlq discard', 'cancel', 'audit'];
    for (const name of names) expect(top.stdout).toContain(`  ${name} `);
    const helps = await Promise.all(names.map((name) => runHandoff([...name.split(' '), '--help'])));
    helps.forEach((one, i) => {
      expect(one.code, names[i]).toBe(0);
      expect(one.stdout).toContain(`usage: handoff ${names[i]}`);
    });
  }, 120_000);

  it('drain, resume and remove a consumer; remove is refused while it holds a lease', async () => {
    const pool = unique('cli');
    const worker = await register(pool, 'w');
    const job = await submit(pool, 'held');
    await eventually(async () => (await heldBy(h.db, worker.id)).find((held) => held.jobId === job.id));

    expect(await as('drain', worker.id)).toMatchObject({ code: 0, stdout: `${worker.id}: DRAINING; 1 lease(s) in flight finish, no new job\n` });
    expect((await h.client.request(GetConsumer, { id: worker.id })).consumer?.declaredStatus).toBe('DRAINING');
    const refused = await as('remove', worker.id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`CONFLICT: consumer ${worker.id} holds 1 lease(s): drain it and let them end (or requeue or expire them), then remove it\n`);
    expect(await as('resume', worker.id)).toMatchObject({ code: 0, stdout: `${worker.id}: FREE; 1/1 slots in use\n` });
    const again = await as('resume', worker.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^CONFLICT: consumer .* is declared FREE, not DRAINING/);
    expect((await as('drain', `${pool}-nobody`)).stderr).toMatch(/^NOT_FOUND: consumer .* is not registered/);
    expect((await as('drain')).code).toBe(2);
  });

  it('leases: lists what is in flight; requeue and expire end a lease', async () => {
    const pool = unique('cli');
    const worker = await register(pool, 'w');
    const job = await submit(pool, 'stuck');
    const held = await eventually(async () => (await heldBy(h.db, worker.id)).find((lease) => lease.jobId === job.id));

    const listed = await as('leases', '--pool', pool);
    expect(listed.code).toBe(0);
    const [header, row, ...more] = listed.stdout.trim().split('\n');
    expect(header).toMatch(/^LEASE\s+POOL\s+CONSUMER\s+STATE\s+ATTEMPT\s+HELD\s+EXPIRES IN\s+JOB$/);
    expect(row?.split(/\s+/)).toEqual([held.leaseId, pool, worker.id, 'DISPATCHED', '1', expect.stringMatching(/^\d+s$/), expect.stringMatching(/^\d+[smh]$/), job.id]);
    expect(more).toEqual([]);
    const asJson = JSON.parse((await as('leases', '--pool', pool, '--json')).stdout) as { id: string; jobId: string }[];
    expect(asJson.map((lease) => [lease.id, lease.jobId])).toEqual([[held.leaseId, job.id]]);

    await h.client.request(SetStatus, { id: worker.id, status: 'BUSY', epoch: worker.epoch });
    const requeued = await as('leases', 'requeue', held.leaseId, '--reason', 'consumer hung');
    expect(requeued).toMatchObject({ code: 0, stdout: `lease ${held.leaseId} of ${worker.id}: RELEASED; its job (if any) waits first in line\n` });
    expect((await h.client.request(GetJob, { id: job.id })).job?.state).toBe('PENDING');
    expect((await as('leases', '--pool', pool)).stdout.trim()).toBe('no leases in flight');
    const ended = await as('leases', 'expire', held.leaseId);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/^CONFLICT: lease .* is already RELEASED/);

    await h.client.request(SetStatus, { id: worker.id, status: 'FREE', epoch: worker.epoch });
    const next = await eventually(async () => (await heldBy(h.db, worker.id)).find((lease) => lease.jobId === job.id));
    expect(await as('leases', 'expire', next.leaseId)).toMatchObject({ code: 0, stdout: `lease ${next.leaseId} of ${worker.id}: EXPIRED at attempt 2\n` });
  });

  it('dlq list, replay and discard; cancel; and audit shows each with its key', async () => {
    const pool = unique('cli');
    const worker = await register(pool, 'w');
    const poison = await submit(pool, 'bad\u001b[31m input');
    const held = await eventually(async () => (await heldBy(h.db, worker.id)).find((lease) => lease.jobId === poison.id));
    await h.client.request(FailLease, { id: held.leaseId, reason: 'cannot\u001b[2J parse', consumerId: worker.id, epoch: worker.epoch });
    await eventually(async () => ((await h.client.request(GetJob, { id: poison.id })).job?.state === 'DEAD_LETTERED' ? true : undefined), 15_000);

    const listed = await as('dlq', 'list', '--pool', pool);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^JOB\s+POOL\s+STATE\s+ATTEMPTS\s+DEAD-LETTERED\s+REASON\s+BYTES\s+VALUE$/);
    // No escape sequence reaches the terminal: the reason and the value are printed escaped.
    expect(listed.stdout).not.toContain('\u001b');
    expect(rows[1]).toContain(`${poison.id}  ${pool}  DEAD_LETTERED  1`);
    expect(rows[1]).toContain('cannot\\u001b[2J parse');
    expect(rows[1]).toMatch(/bad\\u001b\[31m input$/);

    expect(await as('dlq', 'replay', poison.id)).toMatchObject({ code: 0, stdout: `job ${poison.id} in ${pool}: PENDING, first in line, attempts reset to 0\n` });
    const again = await eventually(async () => (await heldBy(h.db, worker.id)).find((lease) => lease.jobId === poison.id));
    await h.client.request(FailLease, { id: again.leaseId, reason: 'still bad', consumerId: worker.id, epoch: worker.epoch });
    await eventually(async () => ((await h.client.request(GetJob, { id: poison.id })).job?.state === 'DEAD_LETTERED' ? true : undefined), 15_000);
    expect(await as('dlq', 'discard', poison.id, '--reason', 'known bad')).toMatchObject({ code: 0, stdout: `job ${poison.id} in ${pool}: CANCELLED\n` });
    expect((await as('dlq', 'list', '--pool', pool)).stdout.trim()).toBe('no dead letters');
    expect((await as('dlq', 'replay', poison.id)).stderr).toMatch(/^CONFLICT: job .* is CANCELLED: only a dead-lettered job/);

    await h.client.request(SetStatus, { id: worker.id, status: 'BUSY', epoch: worker.epoch });
    const pending = await submit(pool, 'not wanted');
    expect(await as('cancel', pending.id)).toMatchObject({ code: 0, stdout: `job ${pending.id} in ${pool}: CANCELLED\n` });

    const audit = JSON.parse((await as('audit', '--first', '10', '--json')).stdout) as { action: string; target: string; actorRole: string }[];
    const ours = audit.filter((entry) => entry.target === poison.id || entry.target === pending.id);
    expect(ours.map((entry) => entry.action)).toEqual(['CANCEL_JOB', 'DISCARD_DEAD_LETTER', 'REPLAY_DEAD_LETTER']);
    expect(ours.every((entry) => entry.actorRole === 'ADMIN')).toBe(true);
    const table = (await as('audit', '--first', '3')).stdout.trim().split('\n');
    expect(table[0]).toMatch(/^AT\s+KEY\s+ROLE\s+ACTION\s+POOL\s+TARGET\s+WHAT$/);
    expect(table[1]).toMatch(new RegExp(`ADMIN\\s+CANCEL_JOB\\s+${pool}\\s+${pending.id}\\s+PENDING → CANCELLED`));
    expect((await as('audit', '--first', '0')).code).toBe(2);
  });

  it('without an ADMIN key every console command is refused', async () => {
    const anonymous = await runHandoff(['leases'], { HANDOFF_URL: h.server.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^UNAUTHENTICATED: /);
  });
});
