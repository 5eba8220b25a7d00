import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeregisterConsumer,
  GetConsumer,
  GetStats,
  Heartbeat,
  ListConsumers,
  NextFreeConsumer,
  RegisterConsumer,
  SetStatus,
} from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, startHarness, unique } from './support/harness.js';

describe.each(backends)('the consumer registry on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(() => h?.close());

  it('registers a consumer as FREE with defaults and epoch 1', async () => {
    const id = unique('c');
    const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id } });
    expect(consumer).toMatchObject({
      id,
      pool: 'default',
      topic: `handoff.default.${id}`,
      status: 'FREE',
      capacity: 1,
      inFlight: 0,
      labels: [],
      epoch: 1,
    });
    expect(consumer.lastHeartbeatAt).not.toBeNull();
    expect(consumer.freeSince).not.toBeNull();
  });

  it('re-registering the same id replaces its settings and bumps the epoch', async () => {
    const id = unique('c');
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id, pool, capacity: 2, labels: ['gpu'] } });
    await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    const { registerConsumer: again } = await h.client.request(RegisterConsumer, {
      input: { id, pool, capacity: 5, labels: ['gpu', 'eu'], topic: 'jobs.custom' },
    });
    expect(again).toMatchObject({ epoch: 2, capacity: 5, labels: ['eu', 'gpu'], topic: 'jobs.custom', status: 'FREE' });
  });

  it('sets status and heartbeats with the current epoch', async () => {
    const id = unique('c');
    await h.client.request(RegisterConsumer, { input: { id } });
    const busy = await h.client.request(SetStatus, { id, status: 'BUSY', epoch: 1 });
    expect(busy.setStatus).toMatchObject({ status: 'BUSY', freeSince: null });
    const draining = await h.client.request(SetStatus, { id, status: 'DRAINING', epoch: 1 });
    expect(draining.setStatus.status).toBe('DRAINING');
    const free = await h.client.request(SetStatus, { id, status: 'FREE', epoch: 1 });
    expect(free.setStatus.status).toBe('FREE');
    expect(free.setStatus.freeSince).not.toBeNull();

    const before = free.setStatus.lastHeartbeatAt!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const beat = await h.client.request(Heartbeat, { id, epoch: 1 });
    expect(new Date(beat.heartbeat.lastHeartbeatAt!).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(beat.heartbeat.status).toBe('FREE');
  });

  it('deregisters a consumer, after which it is gone', async () => {
    const id = unique('c');
    await h.client.request(RegisterConsumer, { input: { id } });
    const removed = await h.client.request(DeregisterConsumer, { id, epoch: 1 });
    expect(removed.deregisterConsumer.id).toBe(id);
    expect((await h.client.request(GetConsumer, { id })).consumer).toBeNull();
  });

  it('pages through consumers by id with a cursor, filtered by pool and status', async () => {
    const pool = unique('p');
    const ids = Array.from({ length: 7 }, (_, i) => `${pool}-c${i}`);
    for (const id of ids) await h.client.request(RegisterConsumer, { input: { id, pool } });
    await h.client.request(SetStatus, { id: ids[3]!, status: 'BUSY', epoch: 1 });

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { consumers }: { consumers: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await h.client.request(ListConsumers, { pool, first: 3, after });
      seen.push(...consumers.nodes.map((node) => node.id));
      pages += 1;
      if (!consumers.pageInfo.hasNextPage) break;
      after = consumers.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const busy = await h.client.request(ListConsumers, { pool, status: 'BUSY' });
    expect(busy.consumers.nodes.map((node) => node.id)).toEqual([ids[3]]);
  });

  it('peeks the next free consumer without reserving it: longest idle first, matching labels', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-a`, pool, labels: ['gpu'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-b`, pool } });
    const first = await h.client.request(NextFreeConsumer, { pool });
    expect(first.nextFreeConsumer?.id).toBe(`${pool}-a`);
    const again = await h.client.request(NextFreeConsumer, { pool });
    expect(again.nextFreeConsumer?.id).toBe(`${pool}-a`);
    // a FREE toggle puts a at the back of the idle line
    await h.client.request(SetStatus, { id: `${pool}-a`, status: 'BUSY', epoch: 1 });
    await h.client.request(SetStatus, { id: `${pool}-a`, status: 'FREE', epoch: 1 });
    expect((await h.client.request(NextFreeConsumer, { pool })).nextFreeConsumer?.id).toBe(`${pool}-b`);
    expect((await h.client.request(NextFreeConsumer, { pool, labels: ['gpu'] })).nextFreeConsumer?.id).toBe(`${pool}-a`);
    expect((await h.client.request(NextFreeConsumer, { pool, labels: ['tpu'] })).nextFreeConsumer).toBeNull();
  });

  it('counts consumers by status in stats', async () => {
    const pool = unique('p');
    for (const [i, status] of (['FREE', 'FREE', 'BUSY', 'DRAINING'] as const).entries()) {
      await h.client.request(RegisterConsumer, { input: { id: `${pool}-${i}`, pool, capacity: 2 } });
      if (status !== 'FREE') await h.client.request(SetStatus, { id: `${pool}-${i}`, status, epoch: 1 });
    }
    const { stats } = await h.client.request(GetStats, { pool });
    expect(stats).toMatchObject({ pool, consumers: 4, free: 2, busy: 1, draining: 1, offline: 0, capacity: 8, inFlight: 0, waitingProducers: 0 });
  });
});
