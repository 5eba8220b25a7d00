// Only the right caller changes anything: the README's table of who may do what, run cell by cell —
// every operation × every kind of key × HTTP, SSE and graphql-ws — with the exact code and, when
// refused, the state unchanged; then what a table cannot show: the key checked first, a revocation
// ending every stream, a socket bound to one key, a consumer's pool.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type FormattedExecutionResult, isObjectType } from 'graphql';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
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
import { schema } from '../src/schema/index.js';
import { startServer } from '../src/server/index.js';
import { type Harness, adminToken, eventually, snapshot, startHarness, unique } from './support/harness.js';
import { type Operation, type Step, type Transport, codeOf, operation, serverWithTransports, streamingTransports, transportClients, transports } from './support/transports.js';

/** The README's section on keys, and its table: row label → the columns' ✓ / —. */
function readmeTable(): { columns: string[]; rows: Map<string, boolean[]> } {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Who may do what: API keys'), readme.indexOf('\n## Limits'));
  const lines = section.split('\n').filter((line) => line.startsWith('| '));
  const cells = (line: string) => line.slice(2, -2).split(' | ');
  const [header, , ...body] = lines;
  const rows = new Map(body.map((line) => [cells(line)[0]!, cells(line).slice(1).map((cell) => cell === '✓')] as const));
  return { columns: cells(header!).slice(1), rows };
}

type Role = 'ADMIN' | 'PRODUCER of P' | 'PRODUCER of Q' | 'PRODUCER, no pool' | 'CONSUMER for C' | 'CONSUMER for C, of P' | 'CONSUMER for C, of Q' | 'CONSUMER for another';
/** Callers without a valid key: refused before anything, whatever they ask. */
type Stranger = 'no key' | 'a malformed Authorization' | 'a revoked key';
type Caller = Role | Stranger;
const strangers: Stranger[] = ['no key', 'a malformed Authorization', 'a revoked key'];

interface Fixture {
  /** C: a consumer of P, holding one lease (capacity 2, so one slot is free). */
  consumerId: string;
  /** C′: an id with C's prefix that is not registered. */
  newConsumerId: string;
  label: string;
  epoch: number;
  leaseId: string;
  /** A key nobody uses, for revokeApiKey. */
  spareKeyId: string;
  /** A PENDING backlog job of P (written directly: without Kafka, submitJobs takes none). */
  jobId: string;
}

interface Case {
  kind: 'query' | 'mutation' | 'subscription';
  /** Changes state when allowed: each allowed run gets a fixture of its own. */
  writes: boolean;
  op: (f: Fixture) => Operation;
  /** What an allowed call gets when the state says no (the check passed). */
  allowedCode?: string;
  /** The same, on one transport only. */
  allowedCodeOver?: Partial<Record<Transport, string>>;
}

describe('who may do what: the README table, cell by cell, on every transport', () => {
  let h: Harness;
  const P = unique('auth');
  const Q = `${P}-q`;
  const authorization = new Map<Caller, string | undefined>();
  let clients: ReturnType<typeof transportClients>;
  let shared: Fixture;

  beforeAll(async () => {
    // Nothing changes by itself while the table runs (no sweep: no consumer goes OFFLINE, no claim expires), so a refusal's snapshot is exact.
    h = await startHarness('postgres', { heartbeatTtlMs: 3_600_000, sweepIntervalMs: 3_600_000 });
    clients = transportClients(h.server.url);
    const key = async (input: { role: 'ADMIN' | 'PRODUCER' | 'CONSUMER'; pool?: string; consumerId?: string }) =>
      `Bearer ${(await h.client.request(CreateApiKey, { input })).createApiKey.token}`;
    const revoked = (await h.client.request(CreateApiKey, { input: { role: 'ADMIN' } })).createApiKey;
    await h.client.request(RevokeApiKey, { id: revoked.key.id });
    const keys: Record<Caller, string | undefined> = {
      'no key': undefined,
      'a malformed Authorization': 'Token hk_not-a-bearer-token',
      'a revoked key': `Bearer ${revoked.token}`,
      ADMIN: await key({ role: 'ADMIN' }),
      'PRODUCER of P': await key({ role: 'PRODUCER', pool: P }),
      'PRODUCER of Q': await key({ role: 'PRODUCER', pool: Q }),
      'PRODUCER, no pool': await key({ role: 'PRODUCER' }),
      'CONSUMER for C': await key({ role: 'CONSUMER', consumerId: `${P}-mine-*` }),
      'CONSUMER for C, of P': await key({ role: 'CONSUMER', consumerId: `${P}-mine-*`, pool: P }),
      'CONSUMER for C, of Q': await key({ role: 'CONSUMER', consumerId: `${P}-mine-*`, pool: Q }),
      'CONSUMER for another': await key({ role: 'CONSUMER', consumerId: `${P}-theirs-*` }),
    };
    for (const [caller, value] of Object.entries(keys)) authorization.set(caller as Caller, value);
    shared = await fixture();
  });
  afterAll(async () => {
    await clients?.close();
    await h?.close();
  });

  let fixtures = 0;
  /** C registered in P by the admin, with a lease claimed on it and a spare key. */
  async function fixture(): Promise<Fixture> {
    const label = `case-${fixtures++}`;
    const consumerId = `${P}-mine-${label}`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: consumerId, pool: P, capacity: 2, labels: [label] } });
    const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool: P, labels: [label], ttlMs: 3_600_000 });
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool: P } });
    // Labels no consumer carries: the job stays PENDING.
    const job = await h.db.prisma.job.create({ data: { id: randomUUID(), pool: P, labels: [`${label}-nobody`], fairTag: 0, sortKey: 0, messageValue: 'job' } });
    return {
      consumerId,
      newConsumerId: `${P}-mine-new-${label}`,
      label,
      epoch: registerConsumer.epoch,
      leaseId: claimFreeConsumer.id,
      spareKeyId: createApiKey.key.id,
      jobId: job.id,
    };
  }

  /** Every row a refused call could have changed. */
  const everything = async () => ({
    ...(await snapshot(h.db)),
    keys: await h.db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } }),
    jobs: await h.db.prisma.job.findMany({ orderBy: { id: 'asc' } }),
    fairness: await h.db.prisma.fairnessKey.findMany(),
  });
  const owner = (f: Fixture) => ({ consumerId: f.consumerId, epoch: f.epoch });
  /** Each row of the README's table, by its label there. */
  const cases: Record<string, Case> = {
    '`consumer(id: C)`': { kind: 'query', writes: false, op: (f) => operation(GetConsumer, { id: f.consumerId }) },
    '`consumers(pool: P)`': { kind: 'query', writes: false, op: () => operation(ListConsumers, { pool: P }) },
    '`consumers`, every pool': { kind: 'query', writes: false, op: () => operation(ListConsumers, {}) },
    '`nextFreeConsumer(pool: P)`': { kind: 'query', writes: false, op: () => operation(NextFreeConsumer, { pool: P }) },
    '`stats(pool: P)`': { kind: 'query', writes: false, op: () => operation(GetStats, { pool: P }) },
    '`stats`, every pool': { kind: 'query', writes: false, op: () => operation(GetStats, {}) },
    '`pools`': { kind: 'query', writes: false, op: () => operation(ListPools, {}) },
    "`lease(id)` of C's lease": { kind: 'query', writes: false, op: (f) => operation(GetLease, { id: f.leaseId }) },
    '`apiKeys`': { kind: 'query', writes: false, op: () => operation(ListApiKeys, {}) },
    '`registerConsumer` C in P': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation(RegisterConsumer, { input: { id: f.consumerId, pool: P, capacity: 2, labels: [f.label] } }),
    },
    '`registerConsumer` C′ in Q': { kind: 'mutation', writes: true, op: (f) => operation(RegisterConsumer, { input: { id: f.newConsumerId, pool: Q } }) },
    // C holds a lease: even an ADMIN key may not move it now.
    '`registerConsumer` C moved to Q': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation(RegisterConsumer, { input: { id: f.consumerId, pool: Q, capacity: 2, labels: [f.label] } }),
      allowedCode: 'CONFLICT',
    },
    '`setStatus(id: C)`': { kind: 'mutation', writes: true, op: (f) => operation(SetStatus, { id: f.consumerId, status: 'BUSY', epoch: f.epoch }) },
    '`heartbeat(id: C)`': { kind: 'mutation', writes: true, op: (f) => operation(Heartbeat, { id: f.consumerId, epoch: f.epoch }) },
    '`deregisterConsumer(id: C)`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation(DeregisterConsumer, { id: f.consumerId, epoch: f.epoch }),
      allowedCode: 'CONFLICT',
    },
    // Liveness held by the WebSocket answering pings: over SSE there is none to hold it.
    '`consumerSession(id: C)`': {
      kind: 'subscription',
      writes: true,
      op: (f) => operation('subscription ($id: ID!, $epoch: Int!) { consumerSession(id: $id, epoch: $epoch) { kind } }', { id: f.consumerId, epoch: f.epoch }),
      allowedCodeOver: { SSE: 'BAD_USER_INPUT' },
    },
    '`claimFreeConsumer(pool: P)`': { kind: 'mutation', writes: true, op: (f) => operation(ClaimFreeConsumer, { pool: P, labels: [f.label] }) },
    // No Kafka is configured here: an allowed dispatch gets as far as that.
    '`dispatch(pool: P)`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation(DispatchJob, { pool: P, labels: [f.label], message: { value: 'job' } }),
      allowedCode: 'KAFKA_UNAVAILABLE',
    },
    "`completeLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation(CompleteLease, { id: f.leaseId, ...owner(f) }) },
    "`failLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation(FailLease, { id: f.leaseId, reason: 'it broke', ...owner(f) }) },
    "`extendLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation(ExtendLease, { id: f.leaseId, ms: 60_000, ...owner(f) }) },
    "`releaseLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation(ReleaseLease, { id: f.leaseId }) },
    "`attachJob` to C's lease": { kind: 'mutation', writes: true, op: (f) => operation(AttachJob, { id: f.leaseId, message: { value: 'job' } }) },
    '`job(id)` of a job in P': { kind: 'query', writes: false, op: (f) => operation('query ($id: ID!) { job(id: $id) { id state } }', { id: f.jobId }) },
    '`jobs(pool: P)`': { kind: 'query', writes: false, op: () => operation('query ($pool: String!) { jobs(pool: $pool) { nodes { id } } }', { pool: P }) },
    '`submitJobs(pool: P)`': {
      kind: 'mutation',
      writes: true,
      op: () => operation('mutation ($pool: String!) { submitJobs(pool: $pool, jobs: [{ value: "job" }]) { id } }', { pool: P }),
      allowedCode: 'KAFKA_UNAVAILABLE',
    },
    '`cancelJob` of a job in P': { kind: 'mutation', writes: true, op: (f) => operation('mutation ($id: ID!) { cancelJob(id: $id) { id state } }', { id: f.jobId }) },
    '`setFairnessWeight`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($pool: String!, $key: String!) { setFairnessWeight(pool: $pool, key: $key, weight: 2) { key } }', { pool: P, key: f.label }),
    },
    '`setConcurrencyLimit`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($pool: String!, $key: String!) { setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: 3) { key } }', { pool: P, key: f.label }),
    },
    // Operator reads and actions (schema/admin.ts).
    '`leasesInFlight`': { kind: 'query', writes: false, op: () => operation('{ leasesInFlight { nodes { id } } }') },
    '`deadLetters`': { kind: 'query', writes: false, op: () => operation('{ deadLetters { nodes { id } } }') },
    '`auditLog`': { kind: 'query', writes: false, op: () => operation('{ auditLog { nodes { id } } }') },
    '`poolSamples`': { kind: 'query', writes: false, op: () => operation('query ($pool: String) { poolSamples(pool: $pool) { pool } }', { pool: P }) },
    '`consoleSettings`': { kind: 'query', writes: false, op: () => operation('{ consoleSettings { __typename } }') },
    '`drainConsumer(id: C)`': { kind: 'mutation', writes: true, op: (f) => operation('mutation ($id: ID!) { drainConsumer(id: $id) { id } }', { id: f.consumerId }) },
    // C is not DRAINING, and holds a lease: resuming and removing it are refused by the state.
    '`resumeConsumer(id: C)`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($id: ID!) { resumeConsumer(id: $id) { id } }', { id: f.consumerId }),
      allowedCode: 'CONFLICT',
    },
    '`removeConsumer(id: C)`': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($id: ID!) { removeConsumer(id: $id) { id } }', { id: f.consumerId }),
      allowedCode: 'CONFLICT',
    },
    "`requeueLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation('mutation ($id: ID!) { requeueLease(id: $id) { id } }', { id: f.leaseId }) },
    "`expireLease` of C's lease": { kind: 'mutation', writes: true, op: (f) => operation('mutation ($id: ID!) { expireLease(id: $id) { id } }', { id: f.leaseId }) },
    // Without Kafka a replay goes no further; the fixture's job is not dead-lettered, so a discard is refused by the state.
    '`replayDeadLetter` of a job in P': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($id: ID!) { replayDeadLetter(id: $id) { id } }', { id: f.jobId }),
      allowedCode: 'KAFKA_UNAVAILABLE',
    },
    '`discardDeadLetter` of a job in P': {
      kind: 'mutation',
      writes: true,
      op: (f) => operation('mutation ($id: ID!) { discardDeadLetter(id: $id) { id } }', { id: f.jobId }),
      allowedCode: 'CONFLICT',
    },
    '`createApiKey`': { kind: 'mutation', writes: true, op: () => operation(CreateApiKey, { input: { role: 'PRODUCER', pool: P } }) },
    '`revokeApiKey`': { kind: 'mutation', writes: true, op: (f) => operation(RevokeApiKey, { id: f.spareKeyId }) },
    // An allowed waiter is handed C's free slot at once.
    '`awaitFreeConsumer(pool: P)`': { kind: 'subscription', writes: true, op: (f) => operation(AwaitFreeConsumer, { pool: P, labels: [f.label], ttlMs: 60_000 }) },
    '`freeConsumerAvailable(pool: P)`': { kind: 'subscription', writes: false, op: () => operation(OnFreeConsumerAvailable, { pool: P }) },
    '`consumerStatusChanged(pool: P)`': { kind: 'subscription', writes: false, op: () => operation(OnConsumerStatusChanged, { pool: P }) },
    '`consumerStatusChanged`, every pool': { kind: 'subscription', writes: false, op: () => operation(OnConsumerStatusChanged, {}) },
  };

  const table = readmeTable();
  const roles = table.columns as Role[];

  it('the README table has a row for every case here and a column for every role; every root field of the schema is in it', () => {
    expect([...table.rows.keys()].sort()).toEqual(Object.keys(cases).sort());
    expect(roles).toEqual(['ADMIN', 'PRODUCER of P', 'PRODUCER of Q', 'PRODUCER, no pool', 'CONSUMER for C', 'CONSUMER for C, of P', 'CONSUMER for C, of Q', 'CONSUMER for another']);
    const inTable = new Set([...table.rows.keys()].map((label) => /^`(\w+)/.exec(label)?.[1]));
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .filter(isObjectType)
      .flatMap((type) => Object.keys(type.getFields()));
    expect(rootFields.filter((field) => !inTable.has(field))).toEqual([]);
  });

  const matrix = Object.entries(cases).flatMap(([label, c]) =>
    (c.kind === 'subscription' ? streamingTransports : transports).flatMap((transport) =>
      [...roles, ...strangers].map((caller) => [label, caller, transport] as [string, Caller, Transport]),
    ),
  );

  /** Allowed: what the check lets through, and what the operation then says. Refused: the code. */
  const expected = (label: string, caller: Caller, transport: Transport): { allowed: boolean; code: string | undefined } => {
    if ((strangers as Caller[]).includes(caller)) return { allowed: false, code: 'UNAUTHENTICATED' };
    const allowed = table.rows.get(label)![roles.indexOf(caller as Role)]!;
    const c = cases[label]!;
    return allowed ? { allowed, code: c.allowedCodeOver?.[transport] ?? c.allowedCode } : { allowed, code: 'FORBIDDEN' };
  };

  /** A subscription's first answer within a moment: 'open' while it waits, else what it sent. */
  const firstAnswer = async (transport: Transport, caller: Caller, op: Operation): Promise<Step | 'open'> => {
    const stream = clients.open(transport, authorization.get(caller), op);
    try {
      const step = await stream.next(400);
      return step === 'quiet' ? 'open' : step;
    } finally {
      await stream.close();
    }
  };

  it.each(matrix)('%s as %s over %s', async (label, caller, transport) => {
    const c = cases[label]!;
    const { allowed, code } = expected(label, caller, transport);
    // An allowed write changes the state: it gets a fixture of its own. Refusals are run on the shared one, which they must leave as it was.
    const f = allowed && c.writes ? await fixture() : shared;
    const before = allowed ? undefined : await everything();
    const op = c.op(f);
    if (c.kind === 'subscription') {
      const answer = await firstAnswer(transport, caller, op);
      if (allowed && code === undefined) {
        expect(answer === 'open' || (typeof answer === 'object' && answer.errors === undefined), JSON.stringify(answer)).toBe(true);
      } else {
        expect(codeOf(answer as Step), JSON.stringify(answer)).toBe(code);
      }
    } else {
      const result: FormattedExecutionResult = await clients.execute(transport, authorization.get(caller), op);
      expect(codeOf(result), JSON.stringify(result.errors)).toBe(code);
      if (allowed && code === undefined) expect(result.data).toBeTruthy();
    }
    if (before) expect(await everything()).toEqual(before);
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

describe('the key comes first', () => {
  const server = serverWithTransports('pglite');

  // Each would be BAD_USER_INPUT with a key: without one, none of it is looked at.
  const requests: [string, Operation][] = [
    ['lease(id: "zzz")', operation('{ lease(id: "zzz") { id } }')],
    ['releaseLease(id: "zzz")', operation('mutation { releaseLease(id: "zzz") { id } }')],
    ['attachJob(id: "zzz")', operation('mutation { attachJob(id: "zzz", message: { value: "v" }) { id } }')],
    ['consumer(id: "bad id!")', operation('{ consumer(id: "bad id!") { id } }')],
    ['an unknown field', operation('{ consumr(id: "x") { id } }')],
    ['a syntax error', operation('{ consumer(id: ')],
    ['a variable of the wrong type', operation('query ($id: ID!) { consumer(id: $id) { id } }', { id: { not: 'an id' } })],
  ];
  const strangers = { 'no key': undefined, 'a malformed Authorization': 'Basic dXNlcjpwYXNz', 'an unknown key': 'Bearer hk_unknown' };

  it.each(transports.flatMap((transport) => Object.keys(strangers).flatMap((who) => requests.map(([name, op]) => [name, who, transport, op] as const))))(
    '%s with %s over %s: UNAUTHENTICATED, saying why, and nothing else',
    async (_name, who, transport, op) => {
      const result = await server.clients.execute(transport, strangers[who as keyof typeof strangers], op);
      expect(result.errors).toHaveLength(1);
      expect(codeOf(result)).toBe('UNAUTHENTICATED');
      const message = result.errors![0]!.message;
      expect(message).toMatch(who === 'no key' ? /API key is required/ : who === 'an unknown key' ? /unknown or revoked/ : /Bearer <token>/);
      expect(message).not.toMatch(/Did you mean|UUID|characters of/);
    },
  );

  it('a body that is not even JSON, without a key: UNAUTHENTICATED, over HTTP and SSE', async () => {
    for (const accept of ['application/json', 'text/event-stream']) {
      const response = await fetch(server.h.server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: '{"query": ' });
      expect(await response.text()).toContain('"code":"UNAUTHENTICATED"');
    }
  });
});

describe('a consumer keeps its pool; moving it is ADMIN’s, and never strands a lease', () => {
  const server = serverWithTransports('pglite');
  const bearer = async (input: { role: 'PRODUCER' | 'CONSUMER'; pool?: string; consumerId?: string }) =>
    `Bearer ${(await server.h.client.request(CreateApiKey, { input })).createApiKey.token}`;

  it.each(transports)('over %s', async (transport) => {
    const A = unique('a');
    const B = unique('b');
    const id = `${A}-w-1`;
    await server.h.client.request(RegisterConsumer, { input: { id, pool: A } });
    const producerOfA = await bearer({ role: 'PRODUCER', pool: A });
    const anyPool = await bearer({ role: 'CONSUMER', consumerId: `${A}-w-*` });
    const ofB = await bearer({ role: 'CONSUMER', consumerId: `${A}-w-*`, pool: B });
    const claimed = await server.clients.execute(transport, producerOfA, operation(ClaimFreeConsumer, { pool: A, ttlMs: 600_000 }));
    const leaseId = (claimed.data as { claimFreeConsumer: { id: string } }).claimFreeConsumer.id;
    const move = operation(RegisterConsumer, { input: { id, pool: B } });

    const before = await snapshot(server.h.db);
    const byAnyPoolKey = await server.clients.execute(transport, anyPool, move);
    expect(codeOf(byAnyPoolKey)).toBe('FORBIDDEN');
    expect(byAnyPoolKey.errors?.[0]?.message).toMatch(/only an ADMIN key moves a consumer/);
    expect(codeOf(await server.clients.execute(transport, ofB, move))).toBe('FORBIDDEN');
    // Even an ADMIN key may not while it holds a lease: that lease was claimed in A, by A's producer.
    const byAdmin = await server.clients.execute(transport, `Bearer ${adminToken}`, move);
    expect(codeOf(byAdmin)).toBe('CONFLICT');
    expect(byAdmin.errors?.[0]?.message).toMatch(new RegExp(`holds 1 lease\\(s\\) in pool ${A}`));
    expect(await snapshot(server.h.db)).toEqual(before);

    expect(codeOf(await server.clients.execute(transport, producerOfA, operation(ReleaseLease, { id: leaseId })))).toBeUndefined();
    const moved = await server.clients.execute(transport, `Bearer ${adminToken}`, move);
    expect(moved.data).toMatchObject({ registerConsumer: { id, pool: B } });
    // A key without a pool may still register new consumers of its ids, in any pool.
    const created = await server.clients.execute(transport, anyPool, operation(RegisterConsumer, { input: { id: `${A}-w-2`, pool: B } }));
    expect(created.data).toMatchObject({ registerConsumer: { pool: B } });
  });
});

describe('a revoked key is handed nothing more: every stream of it ends within 1 s', () => {
  const server = serverWithTransports('pglite');
  const producerKey = async (pool: string) => (await server.h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool } })).createApiKey;
  /** After the revocation: UNAUTHENTICATED (a last result, or the socket closed), then the end. */
  async function endsRefused(stream: { next(ms?: number): Promise<Step> }, revoked: number) {
    const last = await stream.next(1_000);
    expect(codeOf(last), JSON.stringify(last)).toBe('UNAUTHENTICATED');
    expect(await stream.next(1_000)).toBe('done');
    expect(Date.now() - revoked).toBeLessThan(1_000);
  }

  it.each(streamingTransports)('consumerStatusChanged over %s', async (transport) => {
    const pool = unique('p');
    const { registerConsumer } = await server.h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const key = await producerKey(pool);
    const stream = server.clients.open(transport, `Bearer ${key.token}`, operation(OnConsumerStatusChanged, { pool }));
    try {
      // Live once it delivers.
      await eventually(async () => {
        await server.h.client.request(SetStatus, { id: registerConsumer.id, status: 'BUSY', epoch: registerConsumer.epoch });
        const step = await stream.next(100);
        return typeof step === 'object' && step.data ? true : undefined;
      });
      while ((await stream.next(100)) !== 'quiet');
      const revoked = Date.now();
      await server.h.client.request(RevokeApiKey, { id: key.key.id });
      await endsRefused(stream, revoked);
    } finally {
      await stream.close();
    }
  });

  it.each(streamingTransports)('awaitFreeConsumer over %s: it leaves the line, and the slot freed later is no lease of its', async (transport) => {
    const pool = unique('p');
    const { registerConsumer: c } = await server.h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, status: 'BUSY' } });
    const key = await producerKey(pool);
    const waiting = async () => (await server.h.client.request(GetStats, { pool })).stats.waitingProducers;
    const stream = server.clients.open(transport, `Bearer ${key.token}`, operation(AwaitFreeConsumer, { pool, ttlMs: 60_000 }));
    try {
      await eventually(async () => ((await waiting()) === 1 ? true : undefined));
      const revoked = Date.now();
      await server.h.client.request(RevokeApiKey, { id: key.key.id });
      await endsRefused(stream, revoked);
      expect(await waiting()).toBe(0);
      await server.h.client.request(SetStatus, { id: c.id, status: 'FREE', epoch: c.epoch });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await server.h.db.prisma.lease.count({ where: { consumerId: c.id } })).toBe(0);
      expect((await server.h.client.request(GetConsumer, { id: c.id })).consumer).toMatchObject({ status: 'FREE', inFlight: 0 });
    } finally {
      await stream.close();
    }
  });
});

describe('a WebSocket is bound to one key, even when two arrive at the same moment', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('of two subscribes with different keys sent together on a socket without connectionParams, exactly one binds it; the other is FORBIDDEN', async () => {
    const other = `Bearer ${(await h.client.request(CreateApiKey, { input: { role: 'ADMIN' } })).createApiKey.token}`;
    for (let attempt = 0; attempt < 30; attempt++) {
      const socket = new WebSocket(h.server.url.replace('http', 'ws'), 'graphql-transport-ws');
      const messages: { id?: string; type: string; payload?: unknown }[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init' }));
      await eventually(() => (messages.some((m) => m.type === 'connection_ack') ? true : undefined));
      const subscribe = (id: string, authorization: string) =>
        JSON.stringify({ id, type: 'subscribe', payload: { query: '{ __typename }', extensions: { headers: { authorization } } } });
      socket.send(subscribe('1', `Bearer ${adminToken}`));
      socket.send(subscribe('2', other));
      const answers = await eventually(() => {
        const got = ['1', '2'].map((id) => messages.find((m) => m.id === id && (m.type === 'next' || m.type === 'error')));
        return got.every(Boolean) ? got : undefined;
      });
      const kinds = answers.map((m) => (m!.type === 'next' ? 'ran' : (m!.payload as { extensions?: { code?: string } }[])[0]?.extensions?.code)).sort();
      expect(kinds, `attempt ${attempt}`).toEqual(['FORBIDDEN', 'ran']);
      socket.close();
    }
  });
});

describe('CONSUMER keys are bound to some consumers, never to all', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h?.close());

  it('creating one bound to "*" is BAD_USER_INPUT and creates nothing', async () => {
    const before = await h.db.prisma.apiKey.count();
    const result = await h.client.execute(CreateApiKey, { input: { role: 'CONSUMER', consumerId: '*' } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/every consumer/);
    expect(await h.db.prisma.apiKey.count()).toBe(before);
  });

  it('one bound to "*" before that rule (as a database may still hold) acts for no consumer', async () => {
    const pool = unique('p');
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const token = `hk_${unique('legacy')}`;
    await h.db.prisma.apiKey.create({
      data: { id: randomUUID(), role: 'CONSUMER', consumerId: '*', tokenHash: createHash('sha256').update(token).digest('hex') },
    });
    const legacy = new GraphQLClient({ url: h.server.url, headers: { authorization: `Bearer ${token}` }, failoverMs: 0 });
    const before = await snapshot(h.db);
    for (const result of [
      await legacy.execute(SetStatus, { id: registerConsumer.id, status: 'BUSY', epoch: registerConsumer.epoch }),
      await legacy.execute(Heartbeat, { id: registerConsumer.id, epoch: registerConsumer.epoch }),
      await legacy.execute(GetConsumer, { id: registerConsumer.id }),
    ]) {
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(h.db)).toEqual(before);
  });
});
