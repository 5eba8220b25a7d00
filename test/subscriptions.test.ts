import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import {
  AwaitFreeConsumer,
  GetStats,
  OnConsumerStatusChanged,
  OnFreeConsumerAvailable,
  RegisterConsumer,
  SetStatus,
} from '../src/client/operations.js';
import { changesChannel } from '../src/coordinator/channels.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';

describe.each(backends)('subscriptions on %s', (backend) => {
  let h: Harness;
  const clients: GraphQLClient[] = [];
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await h?.close();
  });

  const newClient = () => {
    const client = new GraphQLClient({ url: h.server.url, headers: adminHeaders });
    clients.push(client);
    return client;
  };

  const waiting = async (pool: string) => (await h.client.request(GetStats, { pool })).stats.waitingProducers;

  it('freeConsumerAvailable announces a consumer turning FREE, matching labels only', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-gpu`, pool, labels: ['gpu'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-cpu`, pool } });
    await h.client.request(SetStatus, { id: `${pool}-gpu`, status: 'BUSY', epoch: 1 });
    await h.client.request(SetStatus, { id: `${pool}-cpu`, status: 'BUSY', epoch: 1 });

    const events = newClient().subscribe(OnFreeConsumerAvailable, { pool, labels: ['gpu'] });
    const first = events.next();
    // No acknowledgement exists in graphql-ws: keep announcing until the subscription is live.
    let received: Awaited<typeof first> | undefined;
    first.then((value) => (received = value));
    for (let i = 0; i < 100 && !received; i++) {
      await h.client.request(SetStatus, { id: `${pool}-cpu`, status: 'FREE', epoch: 1 });
      await h.client.request(SetStatus, { id: `${pool}-cpu`, status: 'BUSY', epoch: 1 });
      await h.client.request(SetStatus, { id: `${pool}-gpu`, status: 'FREE', epoch: 1 });
      await sleep(20);
      if (!received) await h.client.request(SetStatus, { id: `${pool}-gpu`, status: 'BUSY', epoch: 1 });
    }
    const event = await first;
    expect(event.value?.freeConsumerAvailable).toMatchObject({ id: `${pool}-gpu`, status: 'FREE', labels: ['gpu'] });
    await events.return?.();
  });

  it('consumerStatusChanged streams every committed change in the pool', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    const events = newClient().subscribe(OnConsumerStatusChanged, { pool });
    const statuses: string[] = [];
    const reader = (async () => {
      for await (const event of events) {
        statuses.push(event.consumerStatusChanged.status);
        if (statuses.includes('DRAINING')) break;
      }
    })();
    await eventually(async () => {
      await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
      return statuses.includes('BUSY') ? true : undefined;
    });
    await h.client.request(SetStatus, { id, status: 'DRAINING', epoch: 1 });
    await reader;
    expect(statuses.at(-1)).toBe('DRAINING');
  });

  it('awaitFreeConsumer: 10 waiting, 3 freed one by one → 3 leases, to the 3 longest-waiting, in order', async () => {
    const pool = unique('p');
    const ids = [0, 1, 2].map((i) => `${pool}-c${i}`);
    for (const id of ids) {
      await h.client.request(RegisterConsumer, { input: { id, pool } });
      await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    }

    const subscribers: { index: number; stream: AsyncIterableIterator<unknown>; got: string | undefined }[] = [];
    for (let i = 0; i < 10; i++) {
      const stream = newClient().subscribe(AwaitFreeConsumer, { pool, ttlMs: 60_000 });
      const lease = stream.next();
      const subscriber = { index: i, stream, got: undefined as string | undefined };
      void lease.then((step) => (subscriber.got = step.value?.awaitFreeConsumer.consumer.id));
      subscribers.push(subscriber);
      await eventually(async () => ((await waiting(pool)) === i + 1 ? true : undefined));
    }

    const winners: number[] = [];
    for (const id of ids) {
      await h.client.request(SetStatus, { id, status: 'FREE', epoch: 1 });
      const winner = await eventually(() => subscribers.find((s) => s.got === id));
      winners.push(winner.index);
    }
    expect(winners).toEqual([0, 1, 2]);

    await sleep(300);
    expect(subscribers.filter((s) => s.got !== undefined)).toHaveLength(3);
    expect(await waiting(pool)).toBe(7);

    // the three streams complete after their one lease
    for (const s of subscribers.slice(0, 3)) expect((await s.stream.next()).done).toBe(true);
    // the others leave the line when they unsubscribe
    await Promise.all(subscribers.slice(3).map((s) => s.stream.return?.()));
    await eventually(async () => ((await waiting(pool)) === 0 ? true : undefined));
  });

  it('serves subscriptions over SSE on the same endpoint', async () => {
    const pool = unique('p');
    const id = `${pool}-c`;
    await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    const abort = new AbortController();
    const response = await fetch(h.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...adminHeaders },
      body: JSON.stringify({ query: print(AwaitFreeConsumer), variables: { pool } }),
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    await eventually(async () => ((await waiting(pool)) === 1 ? true : undefined));
    await h.client.request(SetStatus, { id, status: 'FREE', epoch: 1 });

    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('awaitFreeConsumer')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    abort.abort();
    const data = text.split('\n').find((line) => line.startsWith('data:') && line.includes('awaitFreeConsumer'));
    expect(JSON.parse(data!.slice(5)).data.awaitFreeConsumer.consumer.id).toBe(id);
  });
});

describe.each(backends)('announcements only where someone listens, on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(() => h?.close());

  it('a change nobody subscribes to is not announced (no NOTIFY); with a subscriber to its pool it is, and not after', async () => {
    const pool = unique('n');
    const heard: string[] = [];
    const stop = await h.db.listen(changesChannel, { payload: (payload) => void heard.push(payload) });
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
    const flip = async () => {
      await h.client.request(SetStatus, { id: registerConsumer.id, status: 'BUSY', epoch: 1 });
      await h.client.request(SetStatus, { id: registerConsumer.id, status: 'FREE', epoch: 1 });
    };
    const ofPool = () => heard.filter((payload) => payload.includes(`"pool":"${pool}"`)).length;
    await flip();
    await sleep(200);
    expect(ofPool()).toBe(0);

    const stream = h.client.subscribe(OnConsumerStatusChanged, { pool });
    const first = stream.next();
    await eventually(async () => {
      await flip();
      return ofPool() > 0 ? true : undefined;
    });
    expect((await first).done).toBe(false);
    await stream.return?.();
    // Once the subscription ends, the pool is not watched any more: nothing more is announced.
    await eventually(async () => {
      const before = ofPool();
      await flip();
      await sleep(200);
      return ofPool() === before ? true : undefined;
    });
    await stop();
  });

  it('a subscription that ends before any event stops watching at once, not at the next event', async () => {
    const pool = unique('n');
    const watchers = () => h.db.prisma.watcher.count({ where: { pool } });
    const stream = h.client.subscribe(OnConsumerStatusChanged, { pool });
    const first = stream.next();
    await eventually(async () => ((await watchers()) === 1 ? true : undefined));
    await stream.return?.();
    await first.catch(() => undefined); // the read in progress ends with the stream
    await eventually(async () => ((await watchers()) === 0 ? true : undefined), 2_000);
  });
});
