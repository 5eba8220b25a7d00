// Claims and completions that arrive together run in one statement (src/coordinator/batcher.ts): the
// coordinator on a real database whose statements are counted as they pass, so the test sees that a
// batch ran and that every call in it still gets its own precise answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinator } from '../src/coordinator/index.js';
import type { Database } from '../src/db/database.js';
import { type CompiledSql, type Sql, compile } from '../src/sql/statement.js';
import { type StandaloneCoordinator, startCoordinator } from './support/coordinator.js';
import { backends, withQuery } from './support/databases.js';
import { unique } from './support/harness.js';

/**
 * The statements that end leases (every one goes through endLeases) and those that claim: how many,
 * and how many carried a batch.
 */
function countingStatements(database: Database) {
  const statements: CompiledSql[] = [];
  const counted = withQuery(database, <Row,>(statement: Sql) => {
    statements.push(compile(statement));
    return database.query<Row>(statement);
  });
  const ends = () => statements.filter(({ text }) => text.includes('WITH ended AS'));
  const claims = () => statements.filter(({ text }) => text.includes('WITH asked AS') && text.includes('claimable'));
  return {
    database: counted,
    reset: () => statements.splice(0),
    ends: () => ends().length,
    batches: () => ends().filter(({ text }) => text.includes('AS asked(id, consumer_id, epoch)')).length,
    claims: () => claims().length,
    /** Claim statements that carried more than one claim (their first value: the lease ids). */
    claimBatches: () => claims().filter(({ values }) => Array.isArray(values[0]) && values[0].length > 1).length,
  };
}

describe.each(backends)('claims and completions that arrive together, on %s', (backend) => {
  let standalone: StandaloneCoordinator;
  let counting: ReturnType<typeof countingStatements>;
  let coordinator: Coordinator;

  beforeAll(async () => {
    standalone = await startCoordinator(backend, { heartbeatTtlMs: 60_000 }, (database) => {
      counting = countingStatements(database);
      return counting.database;
    });
    coordinator = standalone.coordinator;
  });
  afterAll(() => standalone?.close());

  /** `size` consumers of capacity 1 in a new pool, each holding one claimed lease. */
  async function busyPool(size: number) {
    const pool = unique('b');
    const ids = Array.from({ length: size }, (_, i) => `${pool}-${String(i).padStart(2, '0')}`);
    for (const id of ids) await coordinator.registry.registerConsumer({ id, pool });
    const leases = [];
    for (let i = 0; i < size; i++) leases.push(await coordinator.claims.claimFreeConsumer({ pool, ttlMs: 60_000 }));
    return { pool, ids, leases };
  }

  it('64 completions at once: one alone, the other 63 in one statement; every lease COMPLETED, every slot free', async () => {
    const { pool, ids, leases } = await busyPool(64);
    counting.reset();
    const completed = await Promise.all(leases.map((lease) => coordinator.leases.completeLease(lease.id, { consumerId: lease.consumer.id, epoch: 1 })));

    expect(counting.ends()).toBe(2);
    expect(counting.batches()).toBe(1);
    expect(completed.map((lease) => lease.id)).toEqual(leases.map((lease) => lease.id));
    for (const lease of completed) expect(lease).toMatchObject({ state: 'COMPLETED', consumer: { inFlight: 0, status: 'FREE' } });
    expect(await coordinator.stats.stats(pool)).toMatchObject({ inFlight: 0 });
    for (const id of ids) expect((await coordinator.registry.consumer(id))?.inFlight).toBe(0);
    // The slots are really free: the pool can be claimed full again.
    for (let i = 0; i < 64; i++) await coordinator.claims.claimFreeConsumer({ pool, ttlMs: 60_000 });
    await expect(coordinator.claims.claimFreeConsumer({ pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });
  });

  it('a batched completion with its epoch is its consumer’s sign of life, as a lone one is', async () => {
    const { ids, leases } = await busyPool(4);
    const before = await Promise.all(ids.map((id) => coordinator.registry.consumer(id)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    counting.reset();
    await Promise.all(leases.map((lease) => coordinator.leases.completeLease(lease.id, { consumerId: lease.consumer.id, epoch: 1 })));
    expect(counting.batches()).toBe(1);
    for (const [index, id] of ids.entries()) {
      const after = await coordinator.registry.consumer(id);
      expect(after?.lastHeartbeatAt?.getTime()).toBeGreaterThan(before[index]?.lastHeartbeatAt?.getTime() ?? Infinity);
    }
  });

  it('in one batch, each call gets its own answer: a lease asked twice, a wrong consumer, a stale epoch, an unknown lease, no owner at all', async () => {
    const { pool, leases } = await busyPool(6);
    const [a, b, c, d, e, opener] = leases;
    if (!a || !b || !c || !d || !e || !opener) throw new Error('six leases expected');
    const unknown = '00000000-0000-4000-8000-000000000000';
    // The first completion runs alone; the rest arrive while it is in flight and go as one batch.
    const results = await Promise.allSettled([
      coordinator.leases.completeLease(opener.id, { consumerId: opener.consumer.id, epoch: 1 }),
      coordinator.leases.completeLease(a.id, { consumerId: a.consumer.id, epoch: 1 }),
      coordinator.leases.completeLease(a.id, { consumerId: a.consumer.id, epoch: 1 }),
      coordinator.leases.completeLease(b.id, { consumerId: c.consumer.id, epoch: 1 }),
      coordinator.leases.completeLease(c.id, { consumerId: c.consumer.id, epoch: 7 }),
      coordinator.leases.completeLease(unknown, { consumerId: a.consumer.id, epoch: 1 }),
      coordinator.leases.completeLease(d.id),
      coordinator.leases.completeLease(e.id, { consumerId: e.consumer.id }),
    ]);
    const outcome = results.map((result) => (result.status === 'fulfilled' ? result.value.state : (result.reason as { code?: string }).code));
    expect(outcome).toEqual(['COMPLETED', 'COMPLETED', 'CONFLICT', 'CONFLICT', 'STALE_EPOCH', 'NOT_FOUND', 'COMPLETED', 'COMPLETED']);
    const reasons = results.map((result) => (result.status === 'rejected' ? (result.reason as Error).message : ''));
    expect(reasons[2]).toContain('already COMPLETED');
    expect(reasons[3]).toContain(`belongs to consumer ${b.consumer.id}, not ${c.consumer.id}`);
    // The refused leave everything as it was: b and c still hold their slots.
    expect((await coordinator.leases.lease(b.id))?.state).toBe('CLAIMED');
    expect((await coordinator.leases.lease(c.id))?.state).toBe('CLAIMED');
    expect(await coordinator.stats.stats(pool)).toMatchObject({ inFlight: 2 });
  });

  it('a lease whose pool has a line is ended alone, and its slot goes to the first waiting producer', async () => {
    const { pool, leases } = await busyPool(3);
    const quiet = await busyPool(3);
    const abort = new AbortController();
    const waiting = [1, 2].map(() => coordinator.claims.awaitFreeConsumer({ pool, ttlMs: 60_000 }, abort.signal));
    await expect.poll(() => coordinator.stats.stats(pool).then((stats) => stats.waitingProducers)).toBe(2);
    counting.reset();
    const owner = (lease: (typeof leases)[number]) => ({ consumerId: lease.consumer.id, epoch: 1 });
    const completed = await Promise.all([...quiet.leases, ...leases].map((lease) => coordinator.leases.completeLease(lease.id, owner(lease))));
    for (const lease of completed) expect(lease.state).toBe('COMPLETED');

    // The two waiting producers hold the leases of two of the three slots that opened in their pool.
    const served = await Promise.all(waiting);
    const freed = new Set(leases.map((lease) => lease.consumer.id));
    for (const lease of served) expect(freed.has(lease.consumer.id)).toBe(true);
    expect(new Set(served.map((lease) => lease.consumer.id)).size).toBe(2);
    expect(await coordinator.stats.stats(pool)).toMatchObject({ inFlight: 2, waitingProducers: 0 });
    expect(await coordinator.stats.stats(quiet.pool)).toMatchObject({ inFlight: 0 });
    // The quiet pool's completions went as a batch; the lined pool's each alone (one lone statement each).
    expect(counting.batches()).toBe(1);
    abort.abort();
  });

  it('64 claims at once: one alone, the other 63 in one statement, each on a consumer of its own; the 65th is refused', async () => {
    const pool = unique('c');
    for (let i = 0; i < 64; i++) await coordinator.registry.registerConsumer({ id: `${pool}-${String(i).padStart(2, '0')}`, pool });
    counting.reset();
    const leases = await Promise.all(Array.from({ length: 64 }, () => coordinator.claims.claimFreeConsumer({ pool, ttlMs: 60_000 })));
    expect(counting.claims()).toBe(2);
    expect(counting.claimBatches()).toBe(1);
    expect(new Set(leases.map((lease) => lease.id)).size).toBe(64);
    expect(new Set(leases.map((lease) => lease.consumer.id)).size).toBe(64);
    for (const lease of leases) expect(lease).toMatchObject({ state: 'CLAIMED', consumer: { inFlight: 1 } });
    expect(await coordinator.stats.stats(pool)).toMatchObject({ inFlight: 64 });
    await expect(coordinator.claims.claimFreeConsumer({ pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });
  });

  it('more claims at once than consumers: the batch takes one slot of each, the rest are made alone; all slots, never more', async () => {
    const pool = unique('c');
    for (let i = 0; i < 4; i++) await coordinator.registry.registerConsumer({ id: `${pool}-${i}`, pool, capacity: 3 });
    counting.reset();
    const results = await Promise.allSettled(Array.from({ length: 14 }, () => coordinator.claims.claimFreeConsumer({ pool, ttlMs: 60_000 })));
    const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as { code?: string }).code] : []));
    expect(counting.claimBatches()).toBe(1);
    expect(won).toHaveLength(12);
    expect(refused).toEqual(['NO_FREE_CONSUMER', 'NO_FREE_CONSUMER']);
    const perConsumer = new Map<string, number>();
    for (const lease of won) perConsumer.set(lease.consumer.id, (perConsumer.get(lease.consumer.id) ?? 0) + 1);
    expect([...perConsumer.values()]).toEqual([3, 3, 3, 3]);
    for (const id of perConsumer.keys()) expect((await coordinator.registry.consumer(id))?.inFlight).toBe(3);
  });

  it('claims of different pools, labels and TTLs in one batch: each gets a consumer that matches, and its own deadline', async () => {
    const red = unique('red');
    const blue = unique('blue');
    await coordinator.registry.registerConsumer({ id: `${red}-plain`, pool: red });
    await coordinator.registry.registerConsumer({ id: `${red}-gpu`, pool: red, labels: ['gpu'] });
    await coordinator.registry.registerConsumer({ id: `${blue}-a`, pool: blue });
    await coordinator.registry.registerConsumer({ id: `${blue}-b`, pool: blue });
    counting.reset();
    const [opener, gpu, plain, shortTtl, longTtl] = await Promise.all([
      coordinator.claims.claimFreeConsumer({ pool: blue, ttlMs: 60_000 }),
      coordinator.claims.claimFreeConsumer({ pool: red, labels: ['gpu'], ttlMs: 60_000 }),
      coordinator.claims.claimFreeConsumer({ pool: red, ttlMs: 60_000 }),
      coordinator.claims.claimFreeConsumer({ pool: blue, ttlMs: 5_000 }),
      coordinator.claims.claimFreeConsumer({ pool: red, labels: ['gpu'], ttlMs: 60_000 }).catch((error: { code?: string }) => error.code),
    ]);
    expect(counting.claimBatches()).toBeGreaterThanOrEqual(1);
    expect(opener?.consumer.pool).toBe(blue);
    expect(gpu?.consumer.id).toBe(`${red}-gpu`);
    expect(plain?.consumer.id).toBe(`${red}-plain`);
    expect(shortTtl?.consumer.pool).toBe(blue);
    expect(shortTtl?.consumer.id).not.toBe(opener?.consumer.id);
    // The second gpu claim found the one gpu consumer taken.
    expect(longTtl).toBe('NO_FREE_CONSUMER');
    const lasts = (lease: { claimedAt: Date; expiresAt: Date } | undefined) => (lease ? lease.expiresAt.getTime() - lease.claimedAt.getTime() : NaN);
    expect(lasts(shortTtl)).toBe(5_000);
    expect(lasts(plain)).toBe(60_000);
  });
});
