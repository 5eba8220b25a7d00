// Apollo Client against Handoff, as an app would use it (HttpLink + GraphQLWsLink over graphql-ws):
// Apollo merges identical subscriptions, so producers that wait for a free consumer must tell their
// waits apart with requestKey — which also makes a resubscription get the same lease, never a second slot.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApolloClient } from '@apollo/client';
import { firstValueFrom } from 'rxjs';
import { AwaitFreeConsumer, type AwaitedLease, awaitFreeConsumer, handoffApolloClient } from '../examples/apollo.js';
import { CreateApiKey, GetConsumer, GetStats, RegisterConsumer, SetStatus } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, eventually, sleep, startHarness, unique } from './support/harness.js';

describe.each(backends)('Apollo Client on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(() => h?.close());

  /** A pool with one BUSY consumer of capacity 2 (nothing free yet), and a PRODUCER key of that pool. */
  async function busyPool() {
    const pool = unique('apollo');
    const id = `${pool}-c1`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 2, status: 'BUSY' } });
    const { createApiKey } = await h.client.request(CreateApiKey, { input: { role: 'PRODUCER', pool } });
    const free = () => h.client.request(SetStatus, { id, status: 'FREE', epoch: registerConsumer.epoch });
    const inFlight = async () => (await h.client.request(GetConsumer, { id })).consumer?.inFlight;
    const waiting = async () => (await h.client.request(GetStats, { pool })).stats.waitingProducers;
    const leases = () => h.db.prisma.lease.count({ where: { pool } });
    return { pool, token: createApiKey.token, free, inFlight, waiting, leases };
  }

  /** Resolves once the pool has `count` waiting producers, and they stay that many for a moment. */
  async function waitersSettleAt(waiting: () => Promise<number>, count: number) {
    await eventually(async () => ((await waiting()) === count ? true : undefined), 10_000);
    await sleep(300); // a second waiter, were one coming, would be registered by now
    expect(await waiting()).toBe(count);
  }

  /**
   * Two producers wait in a busy pool through one Apollo Client (`wait(0)`, `wait(1)`); once the server
   * holds `waiters` waits for them, the consumer turns FREE. Returns the lease ids each got, and how
   * many slots were taken.
   */
  async function twoProducers(waiters: number, wait: (apollo: ApolloClient, pool: string, index: number) => Promise<string>) {
    const pool = await busyPool();
    const handoff = handoffApolloClient(h.server.url, pool.token);
    try {
      const both = Promise.all([wait(handoff.apollo, pool.pool, 0), wait(handoff.apollo, pool.pool, 1)]);
      await waitersSettleAt(pool.waiting, waiters);
      await pool.free();
      return { leaseIds: await both, inFlight: await pool.inFlight(), leases: await pool.leases() };
    } finally {
      await handoff.close();
    }
  }

  it('merges two identical awaitFreeConsumer subscriptions into one server waiter: both callers get the same lease', async () => {
    const { leaseIds, inFlight, leases } = await twoProducers(1, async (apollo, pool) => (await awaitFreeConsumer(apollo, { pool })).id);
    // The surprise: two producers, each believing it holds a slot, share one lease.
    expect(leaseIds[0]).toBe(leaseIds[1]);
    expect([inFlight, leases]).toEqual([1, 1]);
  });

  it('two subscriptions with distinct requestKey values are two waiters and get two leases', async () => {
    const { leaseIds, inFlight, leases } = await twoProducers(
      2,
      async (apollo, pool, index) => (await awaitFreeConsumer(apollo, { pool, requestKey: `image-${index}` })).id,
    );
    expect(leaseIds[0]).not.toBe(leaseIds[1]);
    expect([inFlight, leases]).toEqual([2, 2]);
  });

  it("Apollo's queryDeduplication: false keeps two identical subscriptions apart as well (two waiters, two leases)", async () => {
    const { leaseIds, leases } = await twoProducers(2, async (apollo, pool) => {
      const { data } = await firstValueFrom(apollo.subscribe({ query: AwaitFreeConsumer, variables: { pool }, context: { queryDeduplication: false } }));
      return data?.awaitFreeConsumer.id ?? 'no lease';
    });
    expect(leaseIds[0]).not.toBe(leaseIds[1]);
    expect(leases).toBe(2);
  });

  it('a resubscription with the same requestKey, on a new socket after the lease came, gets the same lease', async () => {
    const pool = await busyPool();
    await pool.free();
    const before = handoffApolloClient(h.server.url, pool.token);
    let lease: AwaitedLease;
    try {
      lease = await awaitFreeConsumer(before.apollo, { pool: pool.pool, requestKey: 'image-1' });
    } finally {
      await before.close(); // the producer crashed before it sent the job, say
    }
    const after = handoffApolloClient(h.server.url, pool.token);
    try {
      expect((await awaitFreeConsumer(after.apollo, { pool: pool.pool, requestKey: 'image-1' })).id).toBe(lease.id);
      expect(await pool.inFlight()).toBe(1); // the consumer's second slot is still free
      expect(await pool.leases()).toBe(1);
    } finally {
      await after.close();
    }
  });

  it('when the socket drops while waiting, graphql-ws resubscribes with the same requestKey and the wait ends with one lease', async () => {
    const pool = await busyPool();
    const sockets: WebSocket[] = [];
    /** ws, remembering each socket it opens so the test can cut one as a network failure would. */
    class RecordedWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const handoff = handoffApolloClient(h.server.url, pool.token, RecordedWebSocket);
    try {
      const leased = awaitFreeConsumer(handoff.apollo, { pool: pool.pool, requestKey: 'image-1' });
      await waitersSettleAt(pool.waiting, 1);
      sockets[0]!.terminate(); // no close handshake: the server sees the connection fail
      await eventually(() => (sockets.length === 2 && sockets[1]!.readyState === WebSocket.OPEN ? true : undefined), 15_000);
      await waitersSettleAt(pool.waiting, 1);
      await pool.free();
      await leased;
      await sleep(300); // a second claim, were one made, would show by now
      expect(await pool.inFlight()).toBe(1);
      expect(await pool.leases()).toBe(1);
    } finally {
      await handoff.close();
    }
  }, 40_000);
});
