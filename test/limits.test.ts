// Hard limits: query shape before execution, body size, mutations per key, subscriptions per
// connection and key, the WebSocket init timeout, CSRF, and what production hides.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, HandoffError } from '../src/client/graphqlClient.js';
import { ClaimFreeConsumer, CreateApiKey, Heartbeat, OnConsumerStatusChanged, RegisterConsumer } from '../src/client/operations.js';
import { defaultLimits, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';
import { type Harness, adminHeaders, eventually, sleep, snapshot, startHarness, unique } from './support/harness.js';

describe('limits', () => {
  let h: Harness;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(h.server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders, ...headers }, body });

  beforeAll(async () => {
    h = await startHarness('pglite', {
      limits: {
        ...defaultLimits,
        maxDepth: 8,
        maxCost: 400,
        maxAliases: 1_000,
        maxBodyBytes: 10_000,
        maxMessageBytes: 5_000,
        mutationsPerSecond: 5,
        mutationBurst: 5,
        maxSubscriptionsPerConnection: 2,
        maxSubscriptionsPerKey: 3,
        connectionInitTimeoutMs: 300,
      },
    });
  });
  afterAll(() => h?.close());

  it('refuses an over-deep query before it runs: no claim is made', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    await sleep(1_100); // a full bucket for the mutations below
    const before = await snapshot(h.db);
    const names = ['A', 'B', 'C', 'D'];
    const nested = names.map((name, i) => `fragment ${name} on Consumer { ${names[i + 1] ? `...${names[i + 1]}` : 'id'} }`).join(' ');
    const response = await post(JSON.stringify({ query: `mutation { claimFreeConsumer(pool: "${pool}") { consumer { ...A } } } ${nested}` }));
    const result = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/depth/i);
    expect(await snapshot(h.db)).toEqual(before);
  });

  it('refuses an over-complex query before it runs', async () => {
    const fields = Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(' ');
    const result = (await (await post(JSON.stringify({ query: `{ ${fields} }` }))).json()) as {
      errors?: { message: string; extensions?: { code?: string } }[];
      data?: unknown;
    };
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/cost/i);
    expect(result.data).toBeUndefined();
  });

  it('refuses a body over the limit (413) without reading it', async () => {
    const response = await post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(20_000) } }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('rate-limits mutations per key, and recovers', async () => {
    const pool = unique('p');
    await sleep(1_100);
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const results = await Promise.all(Array.from({ length: 12 }, () => h.client.execute(Heartbeat, { id: `${pool}-c`, epoch: 1 })));
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((code) => code === 'ok').length).toBeLessThanOrEqual(5);
    expect(codes.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(7);
    // another key has its own bucket
    const { createApiKey } = await eventually(async () => {
      const result = await h.client.execute(CreateApiKey, { input: { role: 'CONSUMER', consumerId: `${pool}-c` } });
      return result.data ?? undefined;
    });
    const other = new GraphQLClient({ url: h.server.url, headers: { authorization: `Bearer ${createApiKey.token}` } });
    expect((await other.execute(Heartbeat, { id: `${pool}-c`, epoch: 1 })).errors).toBeUndefined();
    await sleep(1_100);
    expect((await h.client.execute(Heartbeat, { id: `${pool}-c`, epoch: 1 })).errors).toBeUndefined();
  });

  it('limits open subscriptions per connection and per key', async () => {
    const pool = unique('p');
    const first = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
    const second = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
    const refusal = async (stream: AsyncIterableIterator<unknown>) =>
      Promise.race([stream.next().then(() => 'event', (error: unknown) => (error instanceof HandoffError ? error.code : String(error))), sleep(500).then(() => 'open')]);
    const a = first.subscribe(OnConsumerStatusChanged, { pool });
    const b = first.subscribe(OnConsumerStatusChanged, { pool });
    expect(await refusal(a)).toBe('open');
    expect(await refusal(b)).toBe('open');
    expect(await refusal(first.subscribe(OnConsumerStatusChanged, { pool }))).toBe('RATE_LIMITED'); // third on one connection
    const c = second.subscribe(OnConsumerStatusChanged, { pool });
    expect(await refusal(c)).toBe('open');
    expect(await refusal(second.subscribe(OnConsumerStatusChanged, { pool }))).toBe('RATE_LIMITED'); // fourth for the key
    await Promise.all([first.close(), second.close()]);
  });

  it('closes a WebSocket that does not send connection_init in time (4408)', async () => {
    const socket = new WebSocket(h.server.url.replace('http', 'ws'), 'graphql-transport-ws');
    const opened = Date.now();
    const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(4408);
    expect(Date.now() - opened).toBeLessThan(2_000);
  });

  it('refuses requests a browser could send cross-site without a preflight (CSRF)', async () => {
    const get = await fetch(`${h.server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: adminHeaders });
    expect(get.status).toBe(403);
    const withHeader = await fetch(`${h.server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { ...adminHeaders, 'x-graphql-yoga-csrf': '1' } });
    expect(withHeader.status).toBe(200);
    const plain = await fetch(h.server.url, { method: 'POST', headers: { 'content-type': 'text/plain', ...adminHeaders }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(plain.ok).toBe(false);
  });

  it('a dispatch message over its own limit is refused and claims nothing', async () => {
    await sleep(1_100);
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const before = await snapshot(h.db);
    const response = await post(JSON.stringify({ query: `mutation { dispatch(pool: "${pool}", message: { value: "${'y'.repeat(6_000)}" }) { topic } }` }));
    const result = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await snapshot(h.db)).toEqual(before);
    expect((await h.client.execute(ClaimFreeConsumer, { pool })).errors).toBeUndefined();
  });
});

describe('in production', () => {
  it('hides introspection and GraphiQL unless enabled', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-production-'));
    const config = loadConfig({ NODE_ENV: 'production', HANDOFF_ADMIN_TOKEN: 'production-test-token' }, { port: 0, dataDir, logLevel: 'silent' });
    expect(config).toMatchObject({ introspection: false, graphiql: false });
    const server = await startServer(config, createLogger(config));
    try {
      const headers = { 'content-type': 'application/json', authorization: 'Bearer production-test-token' };
      const introspection = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __schema { types { name } } }' }) });
      expect(((await introspection.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0);
      const page = await fetch(server.url, { headers: { accept: 'text/html' } });
      expect((await page.text()).includes('graphiql')).toBe(false);
      const enabled = loadConfig({ NODE_ENV: 'production', HANDOFF_INTROSPECTION: 'on', HANDOFF_GRAPHIQL: 'on' });
      expect(enabled).toMatchObject({ introspection: true, graphiql: true });
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
