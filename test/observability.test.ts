// What operators see: Prometheus metrics at /metrics (who may read them, and that they move with real
// claims, sweeps and subscriptions) and request ids in responses and log lines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';
import { AwaitFreeConsumer, ClaimFreeConsumer, CreateApiKey, GetStats, OnConsumerStatusChanged, RegisterConsumer } from '../src/client/operations.js';
import { backends, createTestDatabase } from './support/databases.js';
import { type Harness, adminHeaders, eventually, startHarness, testConfig, unique } from './support/harness.js';

const metricsUrl = (graphqlUrl: string) => new URL('/metrics', graphqlUrl).toString();

/** The value of one sample line, e.g. handoff_claims_total{pool="p"}; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

describe.each(backends)('observability on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  const scrape = async (headers: Record<string, string> = adminHeaders) => {
    const response = await fetch(metricsUrl(h.server.url), { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('jobs by fairness key and priority, with bounded cardinality: the 10 largest groups, the rest summed as "*"', async () => {
    const pool = unique('m');
    const waits = Array.from({ length: 15 }, (_, i) =>
      h.client.subscribe(AwaitFreeConsumer, { pool, fairnessKey: `tenant-${String(i).padStart(2, '0')}`, priority: i % 2 }),
    );
    const pending = waits.map((wait) => wait.next());
    // All 15 waiting (each subscription's row committed) before the groups are read.
    const text = await eventually(async () => {
      const scraped = (await scrape()).text;
      return sample(scraped, 'handoff_waiting_producers', { pool }) === 15 ? scraped : undefined;
    }, 20_000);
    const keys = text.split('\n').filter((line) => line.startsWith('handoff_jobs{') && line.includes(`pool="${pool}"`) && line.includes('by="fairness_key"') && line.includes('state="pending"'));
    expect(keys).toHaveLength(11);
    expect(sample(text, 'handoff_jobs', { pool, by: 'fairness_key', group: '*', state: 'pending' })).toBe(5);
    expect(sample(text, 'handoff_jobs', { pool, by: 'priority', group: '0', state: 'pending' })).toBe(8);
    expect(sample(text, 'handoff_jobs', { pool, by: 'priority', group: '1', state: 'pending' })).toBe(7);
    expect(sample(text, 'handoff_waiting_producers', { pool })).toBe(15);
    await Promise.all(waits.map((wait) => wait.return?.()));
    void pending;
  });

  it('only the GraphQL metrics it means to keep: operation durations and errors, no HTTP histogram, no phase timers', async () => {
    await h.client.request(GetStats, {});
    const text = (await scrape()).text;
    const names = new Set(text.split('\n').flatMap((line) => /^# TYPE (graphql_\w+) /.exec(line)?.[1] ?? []));
    expect([...names].sort()).toEqual(['graphql_envelop_error_result', 'graphql_envelop_request_duration']);
  });

  it('/metrics needs an ADMIN key when auth is on', async () => {
    expect((await scrape({})).status).toBe(401);
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER' } });
    expect((await scrape({ authorization: `Bearer ${createApiKey.token}` })).status).toBe(403);
    const allowed = await scrape();
    expect(allowed.status).toBe(200);
    expect(allowed.type).toContain('text/plain');
    expect(allowed.text).toContain('process_resident_memory_bytes');
  });

  it('counts consumers by status, claims and their wait, GraphQL durations and open subscriptions', async () => {
    const pool = unique('m');
    for (const i of [0, 1]) await h.client.request(RegisterConsumer, { input: { id: `${pool}-c${i}`, pool } });
    let text = (await scrape()).text;
    expect(sample(text, 'handoff_consumers', { pool, status: 'FREE' })).toBe(2);
    expect(sample(text, 'handoff_slots', { pool, kind: 'in_flight' })).toBe(0);
    expect(sample(text, 'handoff_claims_total', { pool })).toBeUndefined();

    await h.client.request(ClaimFreeConsumer, { pool });
    await h.client.request(ClaimFreeConsumer, { pool });
    const subscription = h.client.subscribe(OnConsumerStatusChanged, { pool });
    const first = subscription.next();
    // Counted once the server has it (the client subscribes in the background).
    await eventually(async () => (sample((await scrape()).text, 'handoff_subscriptions_open', { transport: 'ws' }) === 1 ? true : undefined));
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c2`, pool } });
    expect((await first).value).toMatchObject({ consumerStatusChanged: { id: `${pool}-c2` } });

    text = (await scrape()).text;
    expect(sample(text, 'handoff_claims_total', { pool })).toBe(2);
    expect(sample(text, 'handoff_claim_wait_seconds_count', { pool })).toBe(2);
    expect(sample(text, 'handoff_claim_wait_seconds_bucket', { pool, le: '0.001' })).toBe(2);
    // A claim takes a slot; the status stays the consumer's own say (FREE) while its slots fill.
    expect(sample(text, 'handoff_consumers', { pool, status: 'FREE' })).toBe(3);
    expect(sample(text, 'handoff_slots', { pool, kind: 'capacity' })).toBe(3);
    expect(sample(text, 'handoff_slots', { pool, kind: 'in_flight' })).toBe(2);
    expect(sample(text, 'handoff_dead_lettered_jobs', { pool })).toBe(0);
    expect(sample(text, 'handoff_subscriptions_open', { transport: 'ws' })).toBe(1);
    expect(sample(text, 'graphql_envelop_request_duration_count', { operationName: 'ClaimFreeConsumer' })).toBeGreaterThanOrEqual(2);

    await subscription.return?.();
    await eventually(async () => (sample((await scrape()).text, 'handoff_subscriptions_open', { transport: 'ws' }) === 0 ? true : undefined));
  });

  it('counts what the sweeper did: claims nobody dispatched expire', async () => {
    const before = sample((await scrape()).text, 'handoff_lease_expiries_total', { kind: 'claim' }) ?? 0;
    const pool = unique('s');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c0`, pool } });
    await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 100 });
    // Nobody dispatches: after 100 ms the sweeper (every 100 ms here) expires the claim, and counts it
    // once its pass is over (the slot is free as soon as the expiry commits, a moment earlier).
    const text = await eventually(async () => {
      const scraped = (await scrape()).text;
      const counted = (sample(scraped, 'handoff_lease_expiries_total', { kind: 'claim' }) ?? 0) > before;
      return counted && sample(scraped, 'handoff_slots', { pool, kind: 'in_flight' }) === 0 ? scraped : undefined;
    });
    expect(sample(text, 'handoff_lease_expiries_total', { kind: 'claim' })).toBeGreaterThan(before);
  });

  it('/health is up; /ready checks the database, its migrations and Kafka', async () => {
    const health = await fetch(new URL('/health', h.server.url));
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = async () => {
      const response = await fetch(new URL('/ready', h.server.url));
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await ready()).toEqual({ status: 200, body: { ready: true, database: 'up', migrations: 'applied', kafka: 'not configured' } });
    // A migration this code ships that the database has not recorded: not ready.
    const { prisma } = h.db;
    const [last] = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`;
    await prisma.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = now() WHERE id = ${last!.id}`;
    try {
      expect(await ready()).toEqual({ status: 503, body: { ready: false, database: 'up', migrations: 'pending', kafka: 'not configured' } });
    } finally {
      await prisma.$executeRaw`UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE id = ${last!.id}`;
    }
    expect((await ready()).status).toBe(200);
  });

  it('echoes a sensible X-Request-Id, makes one up otherwise', async () => {
    const ask = (requestId?: string) =>
      fetch(h.server.url, {
        method: 'POST',
        headers: { ...adminHeaders, 'content-type': 'application/json', ...(requestId && { 'x-request-id': requestId }) },
        body: JSON.stringify({ query: '{ stats { consumers } }' }),
      });
    expect((await ask('trace-42:a.b')).headers.get('x-request-id')).toBe('trace-42:a.b');
    const madeUp = (await ask('no spaces allowed')).headers.get('x-request-id');
    expect(madeUp).toMatch(/^[0-9a-f-]{36}$/);
    expect((await ask()).headers.get('x-request-id')).not.toBe(madeUp);
  });
});

describe('logs and metrics settings', () => {
  it('every log line written while a request is handled carries its request id', async () => {
    const database = await createTestDatabase('pglite');
    const config = testConfig(database, { logLevel: 'debug' });
    const lines: Record<string, unknown>[] = [];
    const server = await startServer(config, createLogger(config, { write: (line: string) => void lines.push(JSON.parse(line)) }));
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { ...adminHeaders, 'content-type': 'application/json', 'x-request-id': 'req-observed-1' },
        body: JSON.stringify({ query: '{ stats { consumers } }' }),
      });
      expect(response.status).toBe(200);
      const line = await eventually(() => lines.find((entry) => entry.requestId === 'req-observed-1' && entry.msg === 'request'));
      expect(line).toMatchObject({ method: 'POST', url: '/graphql', status: 200 });
      expect(lines.filter((entry) => entry.msg === 'request').every((entry) => typeof entry.requestId === 'string')).toBe(true);
    } finally {
      await server.close();
      await database.drop();
    }
  });

  it('HANDOFF_METRICS=off: no /metrics', async () => {
    const database = await createTestDatabase('pglite');
    const config = testConfig(database, { metrics: false });
    const server = await startServer(config, createLogger(config));
    try {
      const response = await fetch(metricsUrl(server.url), { headers: adminHeaders });
      expect(response.status).toBe(404);
      const client = new GraphQLClient({ url: server.url, headers: adminHeaders });
      expect((await client.request(GetStats, {})).stats.consumers).toBe(0);
      await client.close();
    } finally {
      await server.close();
      await database.drop();
    }
  });
});
