// consumerSession: a consumer is alive while its WebSocket answers the replica's pings — no heartbeat
// calls — and hears at once when it is judged OFFLINE. Real WebSockets on both backends.
import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { ConsumerSession, CreateApiKey, DeregisterConsumer, GetConsumer, RegisterConsumer } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, sleep, snapshot, startHarness, unique } from './support/harness.js';

/** A WebSocket that never answers pings: a consumer process that is stopped, or whose event loop is stuck. */
class DeafWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols, { autoPong: false });
  }
}

type SessionEvent = { consumerSession: { kind: string; consumer: { status: string; epoch: number } } };

/** Opens consumerSession on its own graphql-ws client; events and the error that ended it are collected. */
function openSession(h: Harness, variables: { id: string; epoch: number }, options: { deaf?: boolean; authorization?: string } = {}) {
  const client: Client = createClient({
    url: h.server.url.replace(/^http/, 'ws'),
    webSocketImpl: options.deaf ? DeafWebSocket : WebSocket,
    connectionParams: { authorization: options.authorization ?? adminHeaders.authorization },
    retryAttempts: 0,
  });
  const events: SessionEvent['consumerSession'][] = [];
  let ended: unknown;
  client.subscribe<SessionEvent>(
    { query: print(ConsumerSession), variables },
    {
      next: (result) => {
        if (result.data) events.push(result.data.consumerSession);
        else ended = result.errors;
      },
      error: (error) => (ended = error),
      complete: () => (ended ??= 'complete'),
    },
  );
  return { client, events, ended: () => ended };
}

const codeOf = (ended: unknown) => (Array.isArray(ended) ? (ended[0] as { extensions?: { code?: string } }).extensions?.code : undefined);

describe.each(backends)('consumer sessions on %s', (backend) => {
  let h: Harness;
  const heartbeatTtlMs = 1_500;
  beforeAll(async () => {
    h = await startHarness(backend, { heartbeatTtlMs, sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  it('a consumer whose session answers pings stays alive for 4 TTLs without one heartbeat', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id, pool } });
    const session = openSession(h, { id, epoch: registerConsumer.epoch });
    await eventually(() => (session.events.some((event) => event.kind === 'OPENED') ? true : undefined));
    const until = Date.now() + 4 * heartbeatTtlMs;
    while (Date.now() < until) {
      expect((await h.client.request(GetConsumer, { id })).consumer?.alive).toBe(true);
      await sleep(100);
    }
    await session.client.dispose();
    // Its session gone, so is the evidence: OFFLINE within the TTL and a few beats.
    await eventually(async () => ((await h.client.request(GetConsumer, { id })).consumer?.status === 'OFFLINE' ? true : undefined), 10 * heartbeatTtlMs);
  });

  it('a session whose socket stops answering pings is judged OFFLINE after the TTL, and the session says so at once', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    const session = openSession(h, { id, epoch: 1 }, { deaf: true });
    await eventually(() => (session.events.some((event) => event.kind === 'OPENED') ? true : undefined));
    await eventually(() => (session.events.some((event) => event.kind === 'OFFLINE') ? true : undefined), 10 * heartbeatTtlMs);
    expect(session.events.map((event) => event.kind)).toEqual(['OPENED', 'OFFLINE']);
    expect((await h.client.request(GetConsumer, { id })).consumer?.status).toBe('OFFLINE');
    await session.client.dispose();
  });

  it('a new registration ends the old epoch’s session with STALE_EPOCH; deregistering completes it', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    const old = openSession(h, { id, epoch: 1 });
    await eventually(() => (old.events.length > 0 ? true : undefined));
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await eventually(() => (old.ended() !== undefined ? true : undefined), 5_000);
    expect(codeOf(old.ended())).toBe('STALE_EPOCH');
    await old.client.dispose();

    const current = openSession(h, { id, epoch: 2 });
    await eventually(() => (current.events.length > 0 ? true : undefined));
    await h.client.request(DeregisterConsumer, { id, epoch: 2 });
    await eventually(() => (current.ended() !== undefined ? true : undefined), 5_000);
    expect(current.ended()).toBe('complete');
    await current.client.dispose();
  });

  it('bad sessions are refused with a precise code and change nothing: unknown consumer, old epoch, another consumer’s key, over SSE', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'CONSUMER', consumerId: `${pool}-other` } });
    // Judged OFFLINE first (no session, no heartbeat): from then on only a sign of life would change it.
    await eventually(async () => ((await h.client.request(GetConsumer, { id })).consumer?.status === 'OFFLINE' ? true : undefined), 10 * heartbeatTtlMs);
    const before = await snapshot(h.db);
    const cases = [
      { variables: { id: `${pool}-nobody`, epoch: 1 }, code: 'NOT_FOUND' },
      { variables: { id, epoch: 1 }, code: 'STALE_EPOCH' },
      { variables: { id, epoch: 2 }, code: 'FORBIDDEN', authorization: `Bearer ${createApiKey.token}` },
    ];
    for (const { variables, code, authorization } of cases) {
      const session = openSession(h, variables, authorization ? { authorization } : {});
      await eventually(() => (session.ended() !== undefined ? true : undefined));
      expect(codeOf(session.ended()), JSON.stringify(variables)).toBe(code);
      expect(session.events).toEqual([]);
      await session.client.dispose();
    }
    // Over SSE there is no socket to ping: refused, never held open.
    const response = await fetch(h.server.url, {
      method: 'POST',
      headers: { ...adminHeaders, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: print(ConsumerSession), variables: { id, epoch: 2 } }),
    });
    const text = await response.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).toContain('graphql-ws');
    expect(await snapshot(h.db)).toEqual(before);
  });
});

describe('the SDK client holds a session over graphql-ws with its key', () => {
  it('GraphQLClient.subscribe(ConsumerSession) yields OPENED', async () => {
    const h = await startHarness('pglite', { heartbeatTtlMs: 1_000, sweepIntervalMs: 100 });
    try {
      const pool = unique('p');
      await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
      const client = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
      const stream = client.subscribe(ConsumerSession, { id: `${pool}-c`, epoch: 1 });
      const first = await stream.next();
      expect(first.done ? undefined : first.value.consumerSession.kind).toBe('OPENED');
      await stream.return?.();
      await client.close();
    } finally {
      await h.close();
    }
  });
});
