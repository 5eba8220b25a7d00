// The domain on its own: the coordinator given its ports (a real database and its change feed, no
// Kafka), with no GraphQL server around it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Coordinator } from '../src/coordinator/index.js';
import { type StandaloneCoordinator, startCoordinator } from './support/coordinator.js';
import { backends } from './support/databases.js';
import { eventually, unique } from './support/harness.js';

describe.each(backends)('the coordinator against its ports on %s', (backend) => {
  let standalone: StandaloneCoordinator;
  let coordinator: Coordinator;

  beforeAll(async () => {
    standalone = await startCoordinator(backend, { heartbeatTtlMs: 1_000 });
    coordinator = standalone.coordinator;
  });
  afterAll(() => standalone?.close());

  it('registers, claims the longest idle consumer, and completes', async () => {
    const pool = unique('p');
    await coordinator.registry.registerConsumer({ id: `${pool}-a`, pool });
    await coordinator.registry.registerConsumer({ id: `${pool}-b`, pool });
    const first = await coordinator.claims.claimFreeConsumer({ pool });
    const second = await coordinator.claims.claimFreeConsumer({ pool });
    expect([first.consumer.id, second.consumer.id]).toEqual([`${pool}-a`, `${pool}-b`]);
    await expect(coordinator.claims.claimFreeConsumer({ pool })).rejects.toMatchObject({ code: 'NO_FREE_CONSUMER' });
    const completed = await coordinator.leases.completeLease(first.id, { consumerId: `${pool}-a`, epoch: 1 });
    expect(completed).toMatchObject({ state: 'COMPLETED', consumer: { id: `${pool}-a`, inFlight: 0 } });
    expect((await coordinator.stats.stats(pool)).inFlight).toBe(1);
  });

  it('a waiting producer is served when the change source announces a freed slot', async () => {
    const pool = unique('p');
    await coordinator.registry.registerConsumer({ id: `${pool}-a`, pool });
    await coordinator.registry.setStatus(`${pool}-a`, 'BUSY', 1);
    const waiting = coordinator.claims.awaitFreeConsumer({ pool }, new AbortController().signal);
    await eventually(async () => ((await coordinator.stats.stats(pool)).waitingProducers === 1 ? true : undefined));
    await coordinator.registry.setStatus(`${pool}-a`, 'FREE', 1);
    expect((await waiting).consumer.id).toBe(`${pool}-a`);
  });

  it('the sweep marks a consumer silent past the heartbeat TTL OFFLINE', async () => {
    const pool = unique('p');
    await coordinator.registry.registerConsumer({ id: `${pool}-a`, pool });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const report = await coordinator.sweep();
    expect(report.offline).toBeGreaterThanOrEqual(1);
    expect((await coordinator.registry.consumer(`${pool}-a`))?.status).toBe('OFFLINE');
  });
});
