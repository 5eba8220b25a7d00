// Only the right caller changes a consumer: every operation × every kind of caller → allowed, or the
// exact error code with the state unchanged.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FormattedExecutionResult } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient, HandoffError } from '../src/client/graphqlClient.js';
import {
  AttachJob,
  AwaitFreeConsumer,
  ClaimFreeConsumer,
  CompleteLease,
  CreateApiKey,
  DeregisterConsumer,
  DispatchJob,
  ExtendLease,
  FailLease,
  GetConsumer,
  GetLease,
  GetStats,
  Heartbeat,
  ListApiKeys,
  ListConsumers,
  ListPools,
  NextFreeConsumer,
  OnConsumerStatusChanged,
  OnFreeConsumerAvailable,
  RegisterConsumer,
  ReleaseLease,
  RevokeApiKey,
  SetStatus,
} from '../src/client/operations.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';
import { type Harness, adminToken, eventually, snapshot, startHarness, unique } from './support/harness.js';

type Caller = 'no key' | 'revoked key' | 'ADMIN' | 'PRODUCER of the pool' | 'PRODUCER of another pool' | 'CONSUMER bound to it' | 'CONSUMER bound to another';
const callers: Caller[] = ['no key', 'revoked key', 'ADMIN', 'PRODUCER of the pool', 'PRODUCER of another pool', 'CONSUMER bound to it', 'CONSUMER bound to another'];

/** What each kind of operation allows: the callers that pass; everyone else gets FORBIDDEN (or UNAUTHENTICATED without a valid key). */
const allowed = {
  admin: ['ADMIN'],
  producer: ['ADMIN', 'PRODUCER of the pool'],
  consumer: ['ADMIN', 'CONSUMER bound to it'],
  reader: ['ADMIN', 'PRODUCER of the pool', 'CONSUMER bound to it'],
} satisfies Record<string, Caller[]>;

interface Fixture {
  consumerId: string;
  label: string;
  epoch: number;
  leaseId: string;
  otherKeyId: string;
}

describe('the authorization matrix', () => {
  let h: Harness;
  const pool = unique('auth');
  const clients = new Map<Caller, GraphQLClient>();

  const clientWith = (token: string | undefined) =>
    new GraphQLClient({ url: h.server.url, ...(token && { headers: { authorization: `Bearer ${token}` } }), failoverMs: 0 });

  beforeAll(async () => {
    h = await startHarness('postgres');
    const key = async (input: { role: 'ADMIN' | 'PRODUCER' | 'CONSUMER'; pool?: string; consumerId?: string }) =>
      (await h.client.request(CreateApiKey, { input })).createApiKey;
    const revoked = await key({ role: 'ADMIN' });
    await h.client.request(RevokeApiKey, { id: revoked.key.id });
    const tokens: Record<Caller, string | undefined> = {
      'no key': undefined,
      'revoked key': revoked.token,
      ADMIN: (await key({ role: 'ADMIN' })).token,
      'PRODUCER of the pool': (await key({ role: 'PRODUCER', pool })).token,
      'PRODUCER of another pool': (await key({ role: 'PRODUCER', pool: `${pool}-other` })).token,
      'CONSUMER bound to it': (await key({ role: 'CONSUMER', consumerId: `${pool}-mine-*` })).token,
      'CONSUMER bound to another': (await key({ role: 'CONSUMER', consumerId: `${pool}-theirs-*` })).token,
    };
    for (const caller of callers) clients.set(caller, clientWith(tokens[caller]));
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map((client) => client.close()));
    await h?.close();
  });

  let cases = 0;
  /** A consumer of the pool bound to the "mine" prefix, with a lease claimed on it, made by the admin. */
  async function fixture(): Promise<Fixture> {
    const label = `case-${cases++}`;
    const consumerId = `${pool}-mine-${label}`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: consumerId, pool, capacity: 2, labels: [label] } });
    const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool, labels: [label], ttlMs: 3_600_000 });
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool } });
    return { consumerId, label, epoch: registerConsumer.epoch, leaseId: claimFreeConsumer.id, otherKeyId: createApiKey.key.id };
  }

  /** When allowed: no error, or the domain's own refusal named here (the check passed; the operation then said no). */
  type Operation = [
    name: string,
    kind: keyof typeof allowed,
    writes: boolean,
    run: (client: GraphQLClient, f: Fixture) => Promise<FormattedExecutionResult>,
    allowedCode?: string,
  ];
  const operations: Operation[] = [
    ['consumer', 'reader', false, (c, f) => c.execute(GetConsumer, { id: f.consumerId })],
    ['consumers', 'producer', false, (c) => c.execute(ListConsumers, { pool })],
    ['nextFreeConsumer', 'producer', false, (c) => c.execute(NextFreeConsumer, { pool })],
    ['stats', 'producer', false, (c) => c.execute(GetStats, { pool })],
    ['pools', 'admin', false, (c) => c.execute(ListPools)],
    ['lease', 'reader', false, (c, f) => c.execute(GetLease, { id: f.leaseId })],
    ['apiKeys', 'admin', false, (c) => c.execute(ListApiKeys)],
    ['registerConsumer', 'consumer', true, (c, f) => c.execute(RegisterConsumer, { input: { id: f.consumerId, pool, capacity: 2, labels: [f.label] } })],
    ['setStatus', 'consumer', true, (c, f) => c.execute(SetStatus, { id: f.consumerId, status: 'BUSY', epoch: f.epoch })],
    ['heartbeat', 'consumer', true, (c, f) => c.execute(Heartbeat, { id: f.consumerId, epoch: f.epoch })],
    // The fixture's consumer holds a lease, so an allowed caller is told to drain it first.
    ['deregisterConsumer', 'consumer', true, (c, f) => c.execute(DeregisterConsumer, { id: f.consumerId, epoch: f.epoch }), 'CONFLICT'],
    ['claimFreeConsumer', 'producer', true, (c) => c.execute(ClaimFreeConsumer, { pool })],
    // No Kafka is configured for this server: an allowed dispatch gets that far.
    ['dispatch', 'producer', true, (c) => c.execute(DispatchJob, { pool, message: { value: 'job' } }), 'KAFKA_UNAVAILABLE'],
    ['completeLease', 'consumer', true, (c, f) => c.execute(CompleteLease, { id: f.leaseId, consumerId: f.consumerId, epoch: f.epoch })],
    ['failLease', 'consumer', true, (c, f) => c.execute(FailLease, { id: f.leaseId, consumerId: f.consumerId, epoch: f.epoch })],
    ['extendLease', 'consumer', true, (c, f) => c.execute(ExtendLease, { id: f.leaseId, ms: 60_000, consumerId: f.consumerId, epoch: f.epoch })],
    ['releaseLease', 'producer', true, (c, f) => c.execute(ReleaseLease, { id: f.leaseId })],
    ['attachJob', 'producer', true, (c, f) => c.execute(AttachJob, { id: f.leaseId, message: { value: 'job' } })],
    ['createApiKey', 'admin', true, (c) => c.execute(CreateApiKey, { input: { role: 'PRODUCER', pool } })],
    ['revokeApiKey', 'admin', true, (c, f) => c.execute(RevokeApiKey, { id: f.otherKeyId })],
  ];

  const matrix = operations.flatMap(([name, kind, writes, run, allowedCode]) =>
    callers.map((caller) => [name, caller, kind, writes, run, allowedCode] as const),
  );

  it.each(matrix)('%s as %s', async (_name, caller, kind, writes, run, allowedCode) => {
    const f = await fixture();
    const before = await snapshot(h.db);
    const keysBefore = await h.db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } });
    const result = await run(clients.get(caller)!, f);
    const code = result.errors?.[0]?.extensions?.code;
    if ((allowed[kind] as Caller[]).includes(caller)) {
      expect(code, JSON.stringify(result.errors)).toBe(allowedCode);
    } else {
      expect(code).toBe(caller === 'no key' || caller === 'revoked key' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      if (writes) {
        expect(await snapshot(h.db)).toEqual(before);
        expect(await h.db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })).toEqual(keysBefore);
      }
    }
  });

  it.each(callers)('awaitFreeConsumer over WebSocket as %s', async (caller) => {
    await fixture(); // a consumer with a free slot
    const stream = clients.get(caller)!.subscribe(AwaitFreeConsumer, { pool, ttlMs: 60_000 });
    try {
      if ((allowed.producer as Caller[]).includes(caller)) {
        const step = await stream.next();
        expect(step.value?.awaitFreeConsumer.consumer.pool).toBe(pool);
      } else {
        const error = await stream.next().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(HandoffError);
        expect((error as HandoffError).code).toBe(caller === 'no key' || caller === 'revoked key' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      }
    } finally {
      await stream.return?.();
    }
  });

  it.each([
    ['freeConsumerAvailable', (c: GraphQLClient) => c.subscribe(OnFreeConsumerAvailable, { pool })],
    ['consumerStatusChanged', (c: GraphQLClient) => c.subscribe(OnConsumerStatusChanged, { pool })],
  ] as const)('%s over WebSocket: the producer of the pool and ADMIN may watch; others are refused', async (_name, watch) => {
    for (const caller of callers) {
      const stream = watch(clients.get(caller)!);
      const outcome = await Promise.race([
        stream.next().then(
          () => 'event',
          (error: unknown) => (error instanceof HandoffError ? error.code : String(error)),
        ),
        new Promise((resolve) => setTimeout(() => resolve('open'), 300)),
      ]);
      await stream.return?.();
      const expected = (allowed.producer as Caller[]).includes(caller) ? 'open' : caller === 'no key' || caller === 'revoked key' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      expect(outcome, caller).toBe(expected);
    }
  });

  it("closes a revoked key's live subscription within 1 s", async () => {
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool } });
    const client = clientWith(createApiKey.token);
    const f = await fixture();
    const stream = client.subscribe(OnConsumerStatusChanged, { pool });
    const ended = stream.next().then(
      () => 'event',
      (error: unknown) => (error instanceof HandoffError ? error.code : String(error)),
    );
    // Live once it delivers: wait for an event, then open a second read and revoke.
    await eventually(async () => {
      await h.client.request(SetStatus, { id: f.consumerId, status: 'FREE', epoch: f.epoch });
      return (await Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve(undefined), 50))])) ? true : undefined;
    });
    const closed = stream.next().then(
      () => 'event',
      (error: unknown) => (error instanceof HandoffError ? error.code : String(error)),
    );
    const revokedAt = Date.now();
    await h.client.request(RevokeApiKey, { id: createApiKey.key.id });
    expect(await closed).toBe('UNAUTHENTICATED');
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    await client.close();
  });
});

describe('secrets', () => {
  it('no token appears in logs or errors, whatever happens to it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-secrets-'));
    const lines: string[] = [];
    const config = loadConfig({}, { port: 0, dataDir, logLevel: 'trace', adminToken: 'admin-secret-token-0123456789' });
    const server = await startServer(config, createLogger(config, { write: (line: string) => void lines.push(line) }));
    try {
      const admin = new GraphQLClient({ url: server.url, headers: { authorization: 'Bearer admin-secret-token-0123456789' } });
      const { createApiKey } = await admin.request(CreateApiKey, { input: { role: 'PRODUCER', pool: 'p' } });
      const producer = new GraphQLClient({ url: server.url, headers: { authorization: `Bearer ${createApiKey.token}` } });
      const errors = [
        await producer.execute(ListApiKeys), // FORBIDDEN
        await new GraphQLClient({ url: server.url, headers: { authorization: `Bearer ${createApiKey.token}-wrong` } }).execute(ListApiKeys),
      ];
      await admin.request(RevokeApiKey, { id: createApiKey.key.id });
      errors.push(await producer.execute(ListApiKeys)); // UNAUTHENTICATED now
      expect(errors.map((result) => result.errors?.[0]?.extensions?.code)).toEqual(['FORBIDDEN', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
      const seen = lines.join('') + JSON.stringify(errors) + JSON.stringify((await admin.request(ListApiKeys)).apiKeys);
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of [createApiKey.token, 'admin-secret-token-0123456789']) expect(seen).not.toContain(secret);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('first run', () => {
  it('creates an ADMIN key, prints it once, writes it to <dataDir>/admin-token (0600); it works and nothing else does', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-first-run-'));
    const printed: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (printed.push(chunk.toString()), true)) as typeof process.stderr.write;
    const config = loadConfig({}, { port: 0, dataDir, logLevel: 'silent' });
    let server;
    try {
      server = await startServer(config, createLogger(config));
    } finally {
      process.stderr.write = write;
    }
    try {
      const file = path.join(dataDir, 'admin-token');
      const token = (await readFile(file, 'utf8')).trim();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(printed.join('')).toContain(token);
      const admin = new GraphQLClient({ url: server.url, headers: { authorization: `Bearer ${token}` } });
      expect((await admin.request(ListApiKeys)).apiKeys).toHaveLength(1);
      const stranger = new GraphQLClient({ url: server.url, headers: { authorization: `Bearer ${token}x` } });
      expect((await stranger.execute(ListApiKeys)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await server.close();
      // A second start on the same data creates and prints nothing.
      const printedAgain: string[] = [];
      process.stderr.write = ((chunk: string | Uint8Array) => (printedAgain.push(chunk.toString()), true)) as typeof process.stderr.write;
      try {
        const again = await startServer(config, createLogger(config));
        await again.close();
      } finally {
        process.stderr.write = write;
      }
      expect(printedAgain.join('')).not.toContain('ADMIN key');
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('HANDOFF_AUTH=off lets every caller in', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-auth-off-'));
    const config = loadConfig({ HANDOFF_AUTH: 'off' }, { port: 0, dataDir, logLevel: 'silent' });
    const server = await startServer(config, createLogger(config));
    try {
      const anyone = new GraphQLClient({ url: server.url });
      expect((await anyone.request(ListApiKeys)).apiKeys).toEqual([]);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a key sent with each WebSocket operation (as GraphiQL sends its headers)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite', { limits: { ...loadConfig({}).limits, connectionInitTimeoutMs: 500 } });
  });
  afterAll(() => h?.close());

  /** A raw graphql-transport-ws connection, acknowledged, with no connectionParams. */
  async function connect() {
    const socket = new WebSocket(h.server.url.replace('http', 'ws'), 'graphql-transport-ws');
    const messages: { id?: string; type: string; payload?: unknown }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await eventually(() => (messages.some((m) => m.type === 'connection_ack') ? true : undefined));
    const subscribe = async (id: string, query: string, authorization?: string) => {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, extensions: authorization ? { headers: { Authorization: authorization } } : {} } }));
      return eventually(() => messages.find((m) => m.id === id && (m.type === 'next' || m.type === 'error')));
    };
    return { socket, closed, subscribe };
  }
  const stats = '{ stats { consumers } }';

  it('authenticates the operation, binds the connection to that key, and refuses another key on it', async () => {
    const { socket, subscribe } = await connect();
    expect(await subscribe('1', stats, `Bearer ${adminToken}`)).toMatchObject({ type: 'next', payload: { data: { stats: {} } } });
    expect(await subscribe('2', stats)).toMatchObject({ type: 'next' }); // the connection's key
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'ADMIN' } });
    const other = await subscribe('3', stats, `Bearer ${createApiKey.token}`);
    expect(other).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'FORBIDDEN' } }] });
    socket.close();
  });

  it('without a key: UNAUTHENTICATED for the operation, and the socket is closed (4401, which clients do not retry) when none comes in time', async () => {
    const { subscribe, closed } = await connect();
    const opened = Date.now();
    expect(await subscribe('1', stats)).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(await subscribe('2', stats, 'Bearer hk_not-a-key')).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(await closed).toBe(4401);
    expect(Date.now() - opened).toBeLessThan(2_000);
  });
});
