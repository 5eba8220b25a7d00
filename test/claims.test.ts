import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffError } from '../src/client/graphqlClient.js';
import {
  AttachJob,
  ClaimFreeConsumer,
  CompleteLease,
  GetConsumer,
  GetLease,
  RegisterConsumer,
  ReleaseLease,
  SetStatus,
} from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, eventually, sleep, startHarness, unique } from './support/harness.js';

describe.each(backends)('claims and leases on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, { sweepIntervalMs: 100 });
  });
  afterAll(() => h?.close());

  async function registerPool(size: number, capacity = 1): Promise<{ pool: string; ids: string[] }> {
    const pool = unique('p');
    const ids = Array.from({ length: size }, (_, i) => `${pool}-c${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => h.client.request(RegisterConsumer, { input: { id, pool, capacity } })));
    return { pool, ids };
  }

  async function claimConcurrently(pool: string, claims: number) {
    const results = await Promise.all(
      Array.from({ length: claims }, () => h.client.execute(ClaimFreeConsumer, { pool, ttlMs: 60_000 })),
    );
    const won = results.flatMap((result) => (result.data ? [result.data.claimFreeConsumer] : []));
    const refused = results.flatMap((result) => result.errors ?? []);
    return { won, refused };
  }

  it.each([1, 3])('200 concurrent claims on 50 consumers of capacity %i: never more than the capacity per consumer', async (capacity) => {
    const { pool, ids } = await registerPool(50, capacity);
    const { won, refused } = await claimConcurrently(pool, 200);

    expect(won).toHaveLength(Math.min(200, 50 * capacity));
    expect(refused).toHaveLength(200 - won.length);
    for (const error of refused) expect(error.extensions?.code).toBe('NO_FREE_CONSUMER');
    expect(new Set(won.map((lease) => lease.id)).size).toBe(won.length);

    const perConsumer = new Map<string, number>();
    for (const lease of won) perConsumer.set(lease.consumer.id, (perConsumer.get(lease.consumer.id) ?? 0) + 1);
    expect([...perConsumer.keys()].sort()).toEqual(ids);
    for (const count of perConsumer.values()) expect(count).toBe(capacity);

    for (const id of ids) {
      const { consumer } = await h.client.request(GetConsumer, { id });
      expect(consumer?.inFlight).toBe(capacity);
    }
  });

  it('no claim is refused while a slot is free: 8 loops of claim → complete on one consumer of capacity 1000', async () => {
    const { pool, ids } = await registerPool(1, 1000);
    const refusals: unknown[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 25; i++) {
          const result = await h.client.execute(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
          if (!result.data) {
            refusals.push(result.errors);
            continue;
          }
          await h.client.request(CompleteLease, { id: result.data.claimFreeConsumer.id });
        }
      }),
    );
    expect(refusals).toEqual([]);
    expect((await h.client.request(GetConsumer, { id: ids[0]! })).consumer?.inFlight).toBe(0);
  });

  it('gives the longest-idle free consumer first, ties by id', async () => {
    const { pool, ids } = await registerPool(3);
    // all registered in one burst: order by freeSince, then id; make c000 the most recently freed
    await h.client.request(SetStatus, { id: ids[0]!, status: 'BUSY', epoch: 1 });
    await sleep(5);
    await h.client.request(SetStatus, { id: ids[0]!, status: 'FREE', epoch: 1 });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push((await h.client.request(ClaimFreeConsumer, { pool })).claimFreeConsumer.consumer.id);
    expect(order.slice(2)).toEqual([ids[0]]);
    expect(new Set(order).size).toBe(3);
  });

  it('only claims consumers carrying every requested label, and never BUSY or DRAINING ones', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-gpu`, pool, labels: ['gpu', 'eu'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-cpu`, pool, labels: ['eu'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-busy`, pool, labels: ['gpu', 'eu'] } });
    await h.client.request(SetStatus, { id: `${pool}-busy`, status: 'BUSY', epoch: 1 });

    const lease = await h.client.request(ClaimFreeConsumer, { pool, labels: ['gpu', 'eu'] });
    expect(lease.claimFreeConsumer.consumer.id).toBe(`${pool}-gpu`);
    const none = await h.client.execute(ClaimFreeConsumer, { pool, labels: ['gpu'] });
    expect(none.errors?.[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
  });

  it('completing a lease frees the slot; completing it twice is a CONFLICT', async () => {
    const { pool, ids } = await registerPool(1);
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool });
    expect(lease).toMatchObject({ state: 'CLAIMED', attempt: 1, consumer: { id: ids[0], inFlight: 1 } });
    await expect(h.client.request(ClaimFreeConsumer, { pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });

    const done = await h.client.request(CompleteLease, { id: lease.id, consumerId: ids[0]!, epoch: 1 });
    expect(done.completeLease).toMatchObject({ state: 'COMPLETED', consumer: { inFlight: 0 } });
    expect(done.completeLease.endedAt).not.toBeNull();
    await expect(h.client.request(CompleteLease, { id: lease.id })).rejects.toMatchObject({ code: 'CONFLICT' });

    const next = await h.client.request(ClaimFreeConsumer, { pool });
    expect(next.claimFreeConsumer.consumer.id).toBe(ids[0]);
  });

  it('releasing a lease gives the slot back', async () => {
    const { pool } = await registerPool(1);
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool });
    const released = await h.client.request(ReleaseLease, { id: lease.id });
    expect(released.releaseLease).toMatchObject({ state: 'RELEASED', consumer: { inFlight: 0 } });
    await h.client.request(ClaimFreeConsumer, { pool });
  });

  it('a claim not dispatched within its ttl expires and frees the slot', async () => {
    const { pool, ids } = await registerPool(1);
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 200 });
    const expired = await eventually(async () => {
      const { lease: now } = await h.client.request(GetLease, { id: lease.id });
      return now?.state === 'EXPIRED' ? now : undefined;
    });
    expect(expired.endedAt).not.toBeNull();
    expect((await h.client.request(GetConsumer, { id: ids[0]! })).consumer?.inFlight).toBe(0);
  });

  it('attachJob records the job on a claim once; the same job again is a harmless retry, another is a CONFLICT', async () => {
    const { pool } = await registerPool(1);
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool });
    const job = { key: 'k', value: 'v' };
    expect((await h.client.request(AttachJob, { id: lease.id, message: job })).attachJob.state).toBe('DISPATCHED');
    expect((await h.client.request(AttachJob, { id: lease.id, message: job })).attachJob.state).toBe('DISPATCHED');
    const other = await h.client.execute(AttachJob, { id: lease.id, message: { key: 'k', value: 'another' } });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const stored = await h.db.prisma.lease.findUnique({ where: { id: lease.id } });
    expect(stored?.state).toBe('DISPATCHED');
    const recorded = await h.db.prisma.job.findUnique({ where: { id: stored!.jobId! } });
    expect(recorded).toMatchObject({ state: 'DISPATCHED', messageKey: 'k', messageValue: 'v', leaseId: lease.id });
  });

  it('reports a HandoffError with the server code to SDK callers', async () => {
    const error = await h.client.request(ClaimFreeConsumer, { pool: unique('nobody') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandoffError);
    expect((error as HandoffError).code).toBe('NOT_FOUND');
  });
});
