// Hard limits: query shape before execution (introspection included), body size, mutations per key,
// subscriptions per WebSocket and per key on every transport, the WebSocket init timeout, CSRF, and
// what production hides (introspection and suggestions, on every transport).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getIntrospectionQuery } from 'graphql';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { ClaimFreeConsumer, CreateApiKey, Heartbeat, OnConsumerStatusChanged, RegisterConsumer } from '../src/client/operations.js';
import { defaultLimits, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { type HandoffServer, startServer } from '../src/server/index.js';
import { type Harness, adminHeaders, adminToken, eventually, sleep, snapshot, startHarness, unique } from './support/harness.js';
import { type Operation, type Stream, codeOf, operation, transportClients, transports } from './support/transports.js';

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
    const started = performance.now();
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const results = await Promise.all(Array.from({ length: 40 }, () => h.client.execute(Heartbeat, { id: `${pool}-c`, epoch: 1 })));
    const seconds = (performance.now() - started) / 1000;
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? 'ok');
    const passed = codes.filter((code) => code === 'ok').length;
    // The bucket holds 5 and refills 5 a second (the registration took one): however slow the machine,
    // no more went through than that, and every other one was RATE_LIMITED.
    expect(passed).toBeLessThanOrEqual(4 + Math.floor(seconds * 5));
    expect(codes.filter((code) => code === 'RATE_LIMITED').length).toBe(40 - passed);
    expect(passed).toBeLessThan(40);
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

  describe('open subscriptions: exactly the limit, per WebSocket and per key across graphql-ws and SSE', () => {
    /** A key of its own, so no other test's subscriptions count against it. */
    const freshKey = async () => `Bearer ${(await h.client.request(CreateApiKey, { input: { role: 'PRODUCER' } })).createApiKey.token}`;
    const watch = (pool: string) => operation(OnConsumerStatusChanged, { pool });
    /** 'open' while it waits for events, else the code it was refused with. */
    const state = async (stream: Stream) => {
      const step = await stream.next(400);
      return step === 'quiet' ? 'open' : codeOf(step);
    };

    it('a WebSocket holds 2 (HANDOFF_MAX_SUBSCRIPTIONS_PER_CONNECTION here), not 1 and not 3', async () => {
      const key = await freshKey();
      const clients = transportClients(h.server.url);
      try {
        const pool = unique('p');
        const first = clients.open('graphql-ws', key, watch(pool));
        const second = clients.open('graphql-ws', key, watch(pool));
        expect([await state(first), await state(second)]).toEqual(['open', 'open']);
        const third = clients.open('graphql-ws', key, watch(pool));
        expect(await state(third)).toBe('RATE_LIMITED');
        // One ends: its place is free again.
        await first.close();
        expect(await state(clients.open('graphql-ws', key, watch(pool)))).toBe('open');
      } finally {
        await clients.close();
      }
    });

    it('a key holds 3 (HANDOFF_MAX_SUBSCRIPTIONS_PER_KEY here) on every transport together; SSE ones count too', async () => {
      const key = await freshKey();
      const [one, other] = [transportClients(h.server.url), transportClients(h.server.url)];
      try {
        const pool = unique('p');
        const sse = one.open('SSE', key, watch(pool));
        const ws = [one.open('graphql-ws', key, watch(pool)), other.open('graphql-ws', key, watch(pool))];
        expect([await state(sse), await state(ws[0]!), await state(ws[1]!)]).toEqual(['open', 'open', 'open']);
        expect(await state(one.open('SSE', key, watch(pool)))).toBe('RATE_LIMITED');
        expect(await state(other.open('graphql-ws', key, watch(pool)))).toBe('RATE_LIMITED');
        await sse.close();
        await eventually(async () => ((await state(one.open('SSE', key, watch(pool)))) === 'open' ? true : undefined));
      } finally {
        await Promise.all([one.close(), other.close()]);
      }
    });

    it('the defaults are 1,000 per WebSocket and 10,000 per key, as documented', () => {
      expect(defaultLimits).toMatchObject({ maxSubscriptionsPerConnection: 1_000, maxSubscriptionsPerKey: 10_000 });
    });
  });

  describe('introspection is measured like every operation', () => {
    const clients = () => transportClients(h.server.url);
    const admin = `Bearer ${adminToken}`;
    /** The introspection query tools send (GraphiQL's is as large): every option on. */
    const standard = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    const ofTypes = (n: number) => `${'ofType { '.repeat(n)}name${' }'.repeat(n)}`;
    /** __Type → fields → type → ofType → ofType → fields … : each turn multiplies the answer; this is as deep as the allowance lets it go. */
    const turns = ['types', 'fields', ...Array.from({ length: 4 }, () => ['type', 'ofType', 'ofType', 'fields']).flat(), 'type', 'ofType'];
    const cycle = `${turns.map((field) => `${field} { `).join('')}name${' }'.repeat(turns.length)}`;
    const overALimit = /(depth|cost) limit/i;
    const refused: [string, string, RegExp][] = [
      ['a depth-44 ofType chain under __schema', `{ __schema { types { ${ofTypes(42)} } } }`, overALimit],
      ['the standard query with one ofType more', standard.replace(/ofType \{\s*name\s*kind\s*\}/, 'ofType { name kind ofType { name } }'), overALimit],
      [
        'a chain of 25 fragments under __schema',
        `{ __schema { types { ...F0 } } } ${Array.from({ length: 25 }, (_, i) => `fragment F${i} on __Type { ${i < 24 ? `ofType { ...F${i + 1} }` : 'name'} }`).join(' ')}`,
        overALimit,
      ],
      [
        'the deepest cycle through the introspection types, 20 times over',
        `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: __schema { ${cycle} }`).join(' ')} }`,
        // graphql-js's own rule on nesting through the introspection types may say no first.
        /cost limit|Maximum introspection depth/i,
      ],
    ];

    it.each(transports)('the standard introspection query runs over %s', async (transport) => {
      const c = clients();
      try {
        const result = await c.execute(transport, admin, operation(standard));
        expect(result.errors).toBeUndefined();
        expect((result.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(10);
      } finally {
        await c.close();
      }
    });

    it.each(transports.flatMap((transport) => refused.map(([name, query, reason]) => [name, transport, query, reason] as const)))(
      '%s is refused over %s',
      async (_name, transport, query, reason) => {
        const c = clients();
        try {
          const result = await c.execute(transport, admin, operation(query));
          expect(codeOf(result)).toBe('BAD_USER_INPUT');
          expect(result.errors?.[0]?.message).toMatch(reason);
          expect(result.data ?? undefined).toBeUndefined();
        } finally {
          await c.close();
        }
      },
    );
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
  let server: HandoffServer;
  let dataDir: string;
  let clients: ReturnType<typeof transportClients>;
  const token = 'Bearer production-test-token';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-production-'));
    const config = loadConfig({ NODE_ENV: 'production', HANDOFF_ADMIN_TOKEN: 'production-test-token' }, { port: 0, dataDir, logLevel: 'silent' });
    server = await startServer(config, createLogger(config));
    clients = transportClients(server.url);
  });
  afterAll(async () => {
    await clients?.close();
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.each(transports.flatMap((transport) => ['{ __schema { types { name } } }', '{ __type(name: "Consumer") { fields { name } } }'].map((query) => [query, transport] as const)))(
    'refuses introspection (%s) over %s',
    async (query, transport) => {
      const result = await clients.execute(transport, token, operation(query));
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/introspection has been disabled/);
      expect(result.data ?? undefined).toBeUndefined();
      expect((await clients.execute(transport, token, operation('{ __typename }'))).data).toEqual({ __typename: 'Query' });
    },
  );

  // Each names a part of the schema it would suggest: a field, an argument, an enum value, a type, an input field — in the query and in its variables.
  const misspelt: [string, Operation][] = [
    ['a field', operation('{ consumr(id: "x") { id } }')],
    ['an argument', operation('{ consumer(idd: "x") { id } }')],
    ['an enum value', operation('mutation { setStatus(id: "x", status: FRE, epoch: 1) { id } }')],
    ['a type', operation('query ($s: ConsumerStatu) { consumers(pool: "p", status: $s) { nodes { id } } }')],
    ['an input field', operation('mutation { registerConsumer(input: { idd: "x" }) { id } }')],
    ['an enum value in the variables', operation('query ($s: ConsumerStatus) { consumers(pool: "p", status: $s) { nodes { id } } }', { s: 'FRE' })],
    ['an input field in the variables', operation('mutation ($i: RegisterConsumerInput!) { registerConsumer(input: $i) { id } }', { i: { id: 'x', pol: 'p' } })],
  ];

  it.each(transports.flatMap((transport) => misspelt.map(([name, op]) => [name, transport, op] as const)))(
    'suggests nothing for a misspelt %s over %s',
    async (_name, transport, op) => {
      const result = await clients.execute(transport, token, op);
      expect(codeOf(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.map((error) => error.message).join(' ')).not.toMatch(/Did you mean/);
    },
  );

  it('hides GraphiQL, unless enabled (as introspection can be)', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect((await page.text()).includes('graphiql')).toBe(false);
    const enabled = loadConfig({ NODE_ENV: 'production', HANDOFF_INTROSPECTION: 'on', HANDOFF_GRAPHIQL: 'on' });
    expect(enabled).toMatchObject({ introspection: true, graphiql: true });
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ introspection: false, graphiql: false });
  });
});
