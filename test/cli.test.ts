// The `handoff` command, run as a user runs it (node bin/handoff.js, a separate process) against a real
// server: listing, steering, keys, migrations, start, help, and its refusals (exit codes, no changes).
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelJob, GetConsumer, GetStats, RegisterConsumer, SubmitJobs } from '../src/client/operations.js';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { backends, createTestDatabase } from './support/databases.js';
import { type Harness, adminToken, snapshot, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';

const bin = fileURLToPath(new URL('../bin/handoff.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in its own process (asynchronously: the server under test shares this event loop). */
function handoff(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, HANDOFF_URL: '', HANDOFF_TOKEN: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('handoff CLI', () => {
  let h: Harness;
  let as: (...args: string[]) => Promise<Run>;
  beforeAll(async () => {
    h = await startHarness('pglite');
    as = (...args) => handoff(args, { HANDOFF_URL: h.server.url, HANDOFF_TOKEN: adminToken });
  });
  afterAll(() => h?.close());

  it('--help lists every command, and each command has its own --help', async () => {
    const top = await handoff(['--help']);
    expect(top.code).toBe(0);
    const names = ['start', 'migrate', 'consumers', 'pools', 'jobs', 'backlog', 'status', 'keys create', 'keys list', 'keys revoke'];
    for (const name of names) expect(top.stdout).toContain(`  ${name} `);
    for (const name of names) {
      const one = await handoff([...name.split(' '), '--help']);
      expect(one.code, name).toBe(0);
      expect(one.stdout).toContain(`usage: handoff ${name}`);
    }
    expect((await handoff([])).code).toBe(2);
    const unknown = await handoff(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it('consumers and pools: tables and JSON', async () => {
    const pool = unique('cli');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-a`, pool, capacity: 2, labels: ['gpu'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-b`, pool } });

    const listed = await as('consumers', '--pool', pool);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+POOL\s+STATUS\s+IN FLIGHT\s+HEARTBEAT/);
    expect(rows.slice(1).map((row) => row.split(/\s+/).slice(0, 4))).toEqual([
      [`${pool}-a`, pool, 'FREE', '0/2'],
      [`${pool}-b`, pool, 'FREE', '0/1'],
    ]);
    const asJson = JSON.parse((await as('consumers', '--pool', pool, '--json')).stdout) as { id: string; labels: string[] }[];
    expect(asJson.map((consumer) => [consumer.id, consumer.labels])).toEqual([
      [`${pool}-a`, ['gpu']],
      [`${pool}-b`, []],
    ]);
    expect((await as('consumers', '--pool', pool, '--status', 'busy')).stdout.trim()).toBe('no consumers');

    const pools = JSON.parse((await as('pools', '--json')).stdout) as { pool: string; consumers: number; capacity: number }[];
    expect(pools.find((row) => row.pool === pool)).toMatchObject({ consumers: 2, capacity: 3 });
    expect((await as('pools')).stdout).toMatch(new RegExp(`^${pool}\\s+2\\s+2\\s+0\\s+0\\s+0\\s+0/3`, 'm'));
  });

  it('status: sets a consumer’s status; a bad status or an unknown consumer changes nothing', async () => {
    const pool = unique('cli');
    const id = `${pool}-a`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });

    const drained = await as('status', id, 'draining');
    expect(drained).toMatchObject({ code: 0, stdout: `${id}: FREE → DRAINING\n` });
    expect((await h.client.request(GetConsumer, { id })).consumer?.status).toBe('DRAINING');

    const before = await snapshot(h.db);
    const bad = await as('status', id, 'OFFLINE');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the status must be one of FREE, BUSY, DRAINING');
    const unknown = await as('status', `${pool}-nobody`, 'FREE');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^NOT_FOUND: consumer .* is not registered/);
    expect((await as('status', id)).code).toBe(2);
    expect(await snapshot(h.db)).toEqual(before);
  });

  it('keys create, list and revoke: the printed token works until it is revoked', async () => {
    const pool = unique('cli');
    const created = await as('keys', 'create', '--role', 'producer', '--pool', pool, '--json');
    expect(created.code).toBe(0);
    const { token, key } = JSON.parse(created.stdout) as { token: string; key: { id: string; role: string; pool: string } };
    expect(key).toMatchObject({ role: 'PRODUCER', pool });

    const producer = new GraphQLClient({ url: h.server.url, headers: { authorization: `Bearer ${token}` } });
    expect((await producer.request(GetStats, { pool })).stats.pool).toBe(pool);
    expect((await as('keys', 'list')).stdout).toMatch(new RegExp(`^${key.id}\\s+PRODUCER\\s+${pool}`, 'm'));

    const revoked = await as('keys', 'revoke', key.id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${key.id}`);
    const refused = await producer.execute(GetStats, { pool });
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await producer.close();

    expect((await as('keys', 'create')).code).toBe(2); // --role is required
    expect((await as('keys', 'create', '--role', 'root')).stderr).toContain('--role must be one of ADMIN, PRODUCER, CONSUMER');
  });

  it('without a key the server refuses; without a server it says so in one line', async () => {
    const anonymous = await handoff(['consumers'], { HANDOFF_URL: h.server.url });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^UNAUTHENTICATED: /);
    const nowhere = await handoff(['pools', '--url', 'http://127.0.0.1:9/graphql']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr.trim().split('\n')).toHaveLength(1);
    expect(nowhere.stderr).toContain('cannot reach Handoff at http://127.0.0.1:9/graphql');
  });
});

describe.skipIf(!kafkaBrokers)('handoff jobs and handoff backlog', () => {
  let h: Harness;
  let as: (...args: string[]) => Promise<Run>;
  beforeAll(async () => {
    h = await startHarness('pglite', { kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
    as = (...args) => handoff(args, { HANDOFF_URL: h.server.url, HANDOFF_TOKEN: adminToken });
  });
  afterAll(() => h?.close());

  it("jobs: a pool's jobs as a table (state, priority, fairness key, labels) or JSON, filtered by state", async () => {
    const pool = unique('cli');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, status: 'BUSY' } });
    const { submitJobs } = await h.client.request(SubmitJobs, {
      pool,
      jobs: [
        { value: 'first', priority: 3, fairnessKey: 'tenant-a', labels: ['gpu'] },
        { value: 'second\nline', fairnessKey: 'tenant-b' },
        { value: 'third' },
      ],
    });
    await h.client.request(CancelJob, { id: submitJobs[2]!.id });

    const listed = await as('jobs', pool);
    expect(listed.code).toBe(0);
    const rows = listed.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^ID\s+STATE\s+PRIORITY\s+FAIRNESS KEY\s+LABELS\s+ATTEMPTS\s+SUBMITTED\s+FROM\s+VALUE$/);
    // Jobs submitted together have one submission time (then they go by id); a column left empty is blank.
    expect(rows).toHaveLength(4);
    const row = (n: number) => rows.find((line) => line.startsWith(submitJobs[n]!.id));
    expect(row(0)).toMatch(/^\S+\s+PENDING\s+3\s+tenant-a\s+gpu\s+0\s+\d+s ago\s+api\s+"first"$/);
    expect(row(1)).toMatch(/^\S+\s+PENDING\s+0\s+tenant-b\s+0\s+\d+s ago\s+api\s+"second line"$/);
    expect(row(2)).toMatch(/^\S+\s+CANCELLED\s+0\s+0\s+\d+s ago\s+api\s+"third"$/);
    const pending = JSON.parse((await as('jobs', pool, '--state', 'pending', '--json')).stdout) as { id: string; value: string }[];
    expect(pending.map((job) => job.value).sort()).toEqual(['first', 'second\nline']);
    expect(JSON.parse((await as('jobs', pool, '--first', '1', '--json')).stdout)).toHaveLength(1);
    expect((await as('jobs', pool, '--state', 'DISPATCHED')).stdout.trim()).toBe(`no jobs in pool ${pool} in state DISPATCHED`);
    const bad = await as('jobs', pool, '--state', 'done');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state must be one of PENDING, DISPATCHED');
    expect((await as('jobs')).code).toBe(2);
    expect((await as('jobs', pool, '--first', '0')).code).toBe(2);
  });

  it('backlog: per pool, and for one pool by priority and fairness key', async () => {
    const pool = unique('cli');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, status: 'BUSY' } });
    await h.client.request(SubmitJobs, {
      pool,
      jobs: [
        { value: 'a', priority: 5, fairnessKey: 'tenant-a' },
        { value: 'b', priority: 5, fairnessKey: 'tenant-b' },
        { value: 'c', fairnessKey: 'tenant-a' },
      ],
    });
    const all = await as('backlog');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^POOL\s+BACKLOG\s+OLDEST\s+WAITING PRODUCERS\s+SLOTS IN USE\s+INTAKE TOPIC$/m);
    expect(all.stdout).toMatch(new RegExp(`^${pool}\\s+3\\s+\\d+s\\s+0\\s+0/1$`, 'm'));
    const one = await as('backlog', pool);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^pool ${pool}: 3 pending, the oldest waiting \\d+s; 0 waiting producer\\(s\\); 0/1 slots in use$`, 'm'));
    expect(one.stdout).toMatch(/^PRIORITY\s+PENDING\s+IN FLIGHT\n5\s+2\s+0\n0\s+1\s+0$/m);
    expect(one.stdout).toMatch(/^FAIRNESS KEY\s+PENDING\s+IN FLIGHT\ntenant-a\s+2\s+0\ntenant-b\s+1\s+0$/m);
    const asJson = JSON.parse((await as('backlog', pool, '--json')).stdout) as { backlog: number; byPriority: { group: string }[] };
    expect(asJson.backlog).toBe(3);
    expect(asJson.byPriority.map((group) => group.group)).toEqual(['5', '0']);
    expect((await as('backlog', pool, '--top', '99')).code).toBe(2);
    expect((await as('backlog', pool, 'extra')).code).toBe(2);
  });
});

describe.each(backends)('handoff migrate on %s', (backend) => {
  it('applies the migrations once, then has nothing to do', async () => {
    const database = await createTestDatabase(backend);
    try {
      const env = { HANDOFF_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl ?? '' };
      const first = await handoff(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^applied \d{14}_init, /);
      expect((await handoff(['migrate'], env)).stdout).toMatch(/^no pending migration/);
    } finally {
      await database.drop();
    }
  });
});

describe('handoff start', () => {
  it('serves on the configured port and stops cleanly on SIGTERM', async () => {
    const database = await createTestDatabase('pglite');
    const server = spawn(process.execPath, [bin, 'start'], {
      env: { ...process.env, PORT: '0', HANDOFF_DATA_DIR: database.dataDir, HANDOFF_ADMIN_TOKEN: adminToken, HANDOFF_LOG_FORMAT: 'json', KAFKA_BROKERS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        server.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const up = buffered.split('\n').find((line) => line.includes('Handoff is up'));
          if (up) resolve((JSON.parse(up) as { url: string }).url);
        });
        server.once('exit', (code) => reject(new Error(`handoff start exited with ${code}`)));
      });
      const health = await fetch(new URL('/health', url));
      expect(await health.json()).toEqual({ status: 'ok' });
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      server.kill('SIGKILL');
      await database.drop();
    }
  }, 30_000);
});
