import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimFreeConsumer, GetConsumer, GetLease, RegisterConsumer, SetStatus } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, startHarness, unique } from './support/harness.js';

describe.each(backends)('restarting the server on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(() => h?.close());

  it('keeps consumers, epochs and leases across a restart on the same data', async () => {
    const pool = unique('p');
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-a`, pool, capacity: 2, labels: ['x'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-a`, pool, capacity: 2, labels: ['x'] } });
    await h.client.request(RegisterConsumer, { input: { id: `${pool}-b`, pool } });
    await h.client.request(SetStatus, { id: `${pool}-b`, status: 'DRAINING', epoch: 1 });
    const { claimFreeConsumer: lease } = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 3_600_000 });

    await h.restart();

    const a = (await h.client.request(GetConsumer, { id: `${pool}-a` })).consumer;
    expect(a).toMatchObject({ epoch: 2, capacity: 2, labels: ['x'], status: 'FREE', inFlight: 1 });
    const b = (await h.client.request(GetConsumer, { id: `${pool}-b` })).consumer;
    expect(b).toMatchObject({ epoch: 1, status: 'DRAINING' });
    const after = (await h.client.request(GetLease, { id: lease.id })).lease;
    expect(after).toMatchObject({ id: lease.id, state: 'CLAIMED', claimedAt: lease.claimedAt, expiresAt: lease.expiresAt });
    // the remaining slot is still claimable, and only that one
    await h.client.request(ClaimFreeConsumer, { pool });
    await expect(h.client.request(ClaimFreeConsumer, { pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });
  });
});
