// Bad input gets a precise code and changes nothing, on every transport: arguments the domain refuses,
// text the database cannot hold, malformed requests of every kind.
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import {
  AttachJob,
  DispatchJob,
  FailLease,
  RevokeApiKey,
  ClaimFreeConsumer,
  CompleteLease,
  DeregisterConsumer,
  GetLease,
  Heartbeat,
  ListConsumers,
  RegisterConsumer,
  ReleaseLease,
  SetStatus,
  AwaitFreeConsumer,
} from '../src/client/operations.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { errorCodes } from '../src/protocol/errors.js';
import { type HandoffServer, startServer } from '../src/server/index.js';
import { type TestDatabase, backends, createTestDatabase } from './support/databases.js';
import { type Harness, adminHeaders, adminToken, snapshot, startHarness, testConfig, unique } from './support/harness.js';
import { type Operation, codeOf, operation, serverWithTransports, streamingTransports, transportClients, transports } from './support/transports.js';

describe.each(backends)('bad input on %s: a precise code and nothing changed', (backend) => {
  let h: Harness;
  let pool: string;
  let leaseId: string;
  const a = 'owner-a';
  const b = 'owner-b';

  beforeAll(async () => {
    h = await startHarness(backend);
    pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: a, pool } });
    await h.client.request(RegisterConsumer, { input: { id: b, pool } });
    await h.client.request(RegisterConsumer, { input: { id: b, pool } }); // b is now at epoch 2
    leaseId = (await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 3_600_000 })).claimFreeConsumer.id;
  });
  afterAll(() => h?.close());

  const raw = (query: string, variables?: Record<string, unknown>) =>
    fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders },
      body: JSON.stringify({ query, variables }),
    }).then((response) => response.json() as Promise<FormattedExecutionResult>);

  const long = 'x'.repeat(129);
  const tooManyLabels = Array.from({ length: 33 }, (_, i) => `l${i}`);
  const unknownLease = '00000000-0000-4000-8000-000000000000';

  const cases: [string, string, () => Promise<FormattedExecutionResult>][] = [
    ['empty id', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: '' } })],
    ['id over 128 characters', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: long } })],
    ['id with a space', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'bad id' } })],
    ['id with a slash', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'a/b' } })],
    ['bad pool name', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-1', pool: 'a b' } })],
    ['capacity 0', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-2', capacity: 0 } })],
    ['capacity 1001', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-3', capacity: 1001 } })],
    ['33 labels', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-4', labels: tooManyLabels } })],
    ['a label with a space', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-5', labels: ['a b'] } })],
    ['a bad topic', 'BAD_USER_INPUT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-6', topic: 'a:b' } })],
    ['a topic another consumer uses', 'CONFLICT', () => h.client.execute(RegisterConsumer, { input: { id: 'new-7', topic: `handoff.${pool}.${a}` } })],
    ['setStatus on an unknown consumer', 'NOT_FOUND', () => h.client.execute(SetStatus, { id: 'nobody', status: 'BUSY', epoch: 1 })],
    ['setStatus with an invalid id', 'BAD_USER_INPUT', () => h.client.execute(SetStatus, { id: 'bad id', status: 'BUSY', epoch: 1 })],
    ['setStatus OFFLINE', 'BAD_USER_INPUT', () => h.client.execute(SetStatus, { id: a, status: 'OFFLINE', epoch: 1 })],
    ['setStatus with an old epoch', 'STALE_EPOCH', () => h.client.execute(SetStatus, { id: b, status: 'BUSY', epoch: 1 })],
    ['setStatus with a future epoch', 'STALE_EPOCH', () => h.client.execute(SetStatus, { id: b, status: 'BUSY', epoch: 3 })],
    ['heartbeat with an old epoch', 'STALE_EPOCH', () => h.client.execute(Heartbeat, { id: b, epoch: 1 })],
    ['heartbeat on an unknown consumer', 'NOT_FOUND', () => h.client.execute(Heartbeat, { id: 'nobody', epoch: 1 })],
    ['deregister with an old epoch', 'STALE_EPOCH', () => h.client.execute(DeregisterConsumer, { id: b, epoch: 1 })],
    ['deregister an unknown consumer', 'NOT_FOUND', () => h.client.execute(DeregisterConsumer, { id: 'nobody', epoch: 1 })],
    ['deregister a consumer holding a lease', 'CONFLICT', () => h.client.execute(DeregisterConsumer, { id: a, epoch: 1 })],
    ['claim in an unknown pool', 'NOT_FOUND', () => h.client.execute(ClaimFreeConsumer, { pool: unique('nowhere') })],
    ['claim with ttlMs 0', 'BAD_USER_INPUT', () => h.client.execute(ClaimFreeConsumer, { pool, ttlMs: 0 })],
    ['claim with 33 labels', 'BAD_USER_INPUT', () => h.client.execute(ClaimFreeConsumer, { pool, labels: tooManyLabels })],
    ["complete someone else's lease", 'CONFLICT', () => h.client.execute(CompleteLease, { id: leaseId, consumerId: b, epoch: 2 })],
    ['complete a lease with an old epoch', 'STALE_EPOCH', () => h.client.execute(CompleteLease, { id: leaseId, consumerId: a, epoch: 0 })],
    ['complete an unknown lease', 'NOT_FOUND', () => h.client.execute(CompleteLease, { id: unknownLease })],
    ['complete a lease id that is no UUID', 'BAD_USER_INPUT', () => h.client.execute(CompleteLease, { id: 'lease-1' })],
    ['release an unknown lease', 'NOT_FOUND', () => h.client.execute(ReleaseLease, { id: unknownLease })],
    ['a lease id that is no UUID', 'BAD_USER_INPUT', () => h.client.execute(GetLease, { id: 'nope' })],
    ['a page of 501', 'BAD_USER_INPUT', () => h.client.execute(ListConsumers, { first: 501 })],
    ['a cursor that is not one', 'BAD_USER_INPUT', () => h.client.execute(ListConsumers, { after: 'garbage' })],
    ['a syntax error', 'BAD_USER_INPUT', () => raw('mutation { registerConsumer(input: { id: "x" }) { id ')],
    ['an unknown field', 'BAD_USER_INPUT', () => raw('{ consumer(id: "x") { nope } }')],
    ['a missing argument', 'BAD_USER_INPUT', () => raw('mutation { setStatus(id: "x", status: FREE) { id } }')],
    ['a variable of the wrong type', 'BAD_USER_INPUT', () => raw('mutation ($e: Int!) { heartbeat(id: "x", epoch: $e) { id } }', { e: 'one' })],
    ['an unknown enum value', 'BAD_USER_INPUT', () => raw(`mutation { setStatus(id: "${a}", status: SLEEPING, epoch: 1) { id } }`)],
  ];

  it.each(cases)('%s → %s', async (_name, code, send) => {
    const before = await snapshot(h.db);
    const result = await send();
    expect(result.errors?.[0]?.extensions?.code).toBe(code);
    expect(JSON.stringify(result.errors)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack traces
    expect(await snapshot(h.db)).toEqual(before);
  });

  it('refuses a malformed subscription over WebSocket with BAD_USER_INPUT', async () => {
    const stream = h.client.subscribe(AwaitFreeConsumer, { pool: 'bad pool' });
    await expect(stream.next()).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const sock = h.client.websocket();
    const errors = await new Promise<unknown>((resolve) => {
      sock.subscribe({ query: 'subscription { awaitFreeConsumer( }' }, { next: () => {}, error: resolve, complete: () => resolve(undefined) });
    });
    expect(JSON.stringify(errors)).toContain('BAD_USER_INPUT');
  });

  it('the lease used above is untouched by all of it', async () => {
    const { lease } = await h.client.request(GetLease, { id: leaseId });
    expect(lease).toMatchObject({ state: 'CLAIMED', consumer: { id: a, inFlight: 1, epoch: 1 } });
  });
});

describe.each(backends)('text the database cannot hold, and ids that are no ids, on %s: BAD_USER_INPUT on every transport, nothing logged as an error', (backend) => {
  let database: TestDatabase;
  let db: Database;
  let server: HandoffServer;
  let clients: ReturnType<typeof transportClients>;
  const lines: string[] = [];
  const admin = `Bearer ${adminToken}`;
  let leaseId: string;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    const config = testConfig(database, { logLevel: 'info' });
    db = await openDatabase(config);
    server = await startServer(config, createLogger(config, { write: (line: string) => void lines.push(line) }), { database: db });
    clients = transportClients(server.url);
    const client = new GraphQLClient({ url: server.url, headers: adminHeaders });
    const pool = unique('p');
    await client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, capacity: 5 } });
    leaseId = (await client.request(ClaimFreeConsumer, { pool, ttlMs: 3_600_000 })).claimFreeConsumer.id;
  });
  afterAll(async () => {
    await clients?.close();
    await server?.close();
    await db?.close();
    await database?.drop();
  });

  const cursor = (decoded: string) => Buffer.from(decoded).toString('base64url');
  const cases: [string, () => Operation, RegExp][] = [
    ['a cursor holding a NUL', () => operation(ListConsumers, { pool: 'p', after: cursor('consumer:a\u0000b') }), /cursor/],
    ['a failLease reason with a NUL', () => operation(FailLease, { id: leaseId, reason: 'it broke\u0000here' }), /reason must not contain the NUL/],
    ['an attachJob key with a NUL', () => operation(AttachJob, { id: leaseId, message: { key: 'k\u0000', value: 'v' } }), /message\.key must not contain the NUL/],
    ['an attachJob value with a NUL', () => operation(AttachJob, { id: leaseId, message: { value: '\u0000' } }), /message\.value must not contain the NUL/],
    ['an attachJob header value with a NUL', () => operation(AttachJob, { id: leaseId, message: { value: 'v', headers: [{ key: 'h', value: 'a\u0000' }] } }), /header "h" must not contain the NUL/],
    ['an attachJob header name with a NUL', () => operation(AttachJob, { id: leaseId, message: { value: 'v', headers: [{ key: 'h\u0000', value: 'a' }] } }), /header name must not contain the NUL/],
    ['a dispatch message with a NUL', () => operation(DispatchJob, { pool: 'p', message: { value: 'a\u0000' } }), /message\.value must not contain the NUL/],
    [
      'an operator’s reason with a NUL (requeueLease)',
      () => operation('mutation ($id: ID!, $reason: String) { requeueLease(id: $id, reason: $reason) { id } }', { id: leaseId, reason: 'stuck\u0000' }),
      /reason must not contain the NUL/,
    ],
    [
      'an operator’s reason with a NUL (discardDeadLetter)',
      () => operation('mutation ($id: ID!, $reason: String) { discardDeadLetter(id: $id, reason: $reason) { id } }', { id: leaseId, reason: '\u0000' }),
      /reason must not contain the NUL/,
    ],
    ['revokeApiKey(id:) of 36 dashes', () => operation(RevokeApiKey, { id: '-'.repeat(36) }), /must be an API key id, a UUID/],
    ['revokeApiKey(id:) of 36 hex digits', () => operation(RevokeApiKey, { id: 'a'.repeat(36) }), /must be an API key id, a UUID/],
    ['revokeApiKey(id:) with misplaced dashes', () => operation(RevokeApiKey, { id: '0000000-00000-4000-8000-0000000000000' }), /must be an API key id, a UUID/],
  ];

  it.each(transports.flatMap((transport) => cases.map(([name, op, message]) => [name, transport, op, message] as const)))('%s over %s', async (_name, transport, op, message) => {
    const before = { rows: await snapshot(db), keys: await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } }) };
    const logged = lines.length;
    const result = await clients.execute(transport, admin, op());
    expect(codeOf(result), JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(message);
    expect({ rows: await snapshot(db), keys: await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } }) }).toEqual(before);
    const errorsLogged = lines.slice(logged).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errorsLogged).toEqual([]);
  });
});

describe('malformed requests, on every transport: a documented code, always BAD_USER_INPUT', () => {
  const server = serverWithTransports('pglite');
  const documented = Object.keys(errorCodes);
  const json = { 'content-type': 'application/json', ...adminHeaders };

  // Yoga's own refusals carried BAD_REQUEST or OPERATION_RESOLUTION_FAILURE, or no body at all.
  const http: [string, number, () => Promise<Response>][] = [
    ['a body that is not JSON', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: '{"query": ' })],
    // Yoga answers this one with 200.
    ['no query', 200, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: '{}' })],
    ['a query that is not a string', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: '{"query": 5}' })],
    ['variables that are not an object', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', variables: 5 }) })],
    ['an unknown parameter', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: JSON.stringify({ query: '{ __typename }', foo: 1 }) })],
    ['a batch', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: JSON.stringify([{ query: '{ __typename }' }]) })],
    ['two operations and no operationName', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: JSON.stringify({ query: 'query A { __typename } query B { __typename }' }) })],
    ['an operationName not in the document', 400, () => fetch(server.h.server.url, { method: 'POST', headers: json, body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }) })],
    [
      'a mutation sent with GET',
      405,
      () => fetch(`${server.h.server.url}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { ...adminHeaders, 'x-graphql-yoga-csrf': '1' } }),
    ],
    ['a PUT', 405, () => fetch(server.h.server.url, { method: 'PUT', headers: json, body: '{}' })],
    ['a GET without the CSRF header', 403, () => fetch(`${server.h.server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: adminHeaders })],
    ['an unsupported Content-Type', 415, () => fetch(server.h.server.url, { method: 'POST', headers: { ...adminHeaders, 'content-type': 'application/xml', 'x-graphql-yoga-csrf': '1' }, body: '<q/>' })],
    ['an Accept nothing can answer', 406, () => fetch(server.h.server.url, { method: 'POST', headers: { ...json, accept: 'application/xml' }, body: JSON.stringify({ query: '{ __typename }' }) })],
  ];

  it.each(http)('HTTP: %s → %i, BAD_USER_INPUT', async (_name, status, send) => {
    const response = await send();
    expect(response.status).toBe(status);
    const body = (await response.json()) as FormattedExecutionResult;
    expect(body.errors?.length).toBeGreaterThan(0);
    for (const error of body.errors ?? []) {
      expect(documented).toContain(error.extensions?.code);
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  const operations: [string, Operation][] = [
    ['two operations and no operationName', operation('query A { __typename } query B { __typename }')],
    ['an operationName not in the document', { ...operation('query A { __typename }'), operationName: 'B' }],
    ['an empty query', operation('')],
    ['a syntax error', operation('{ __typename ')],
  ];

  it.each(streamingTransports.flatMap((transport) => operations.map(([name, op]) => [name, transport, op] as const)))('%s over %s → BAD_USER_INPUT', async (_name, transport, op) => {
    const result = await server.clients.execute(transport, `Bearer ${adminToken}`, op);
    expect(result.errors?.length).toBeGreaterThan(0);
    for (const error of result.errors ?? []) expect(error.extensions?.code, JSON.stringify(error)).toBe('BAD_USER_INPUT');
  });
});
