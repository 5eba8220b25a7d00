// Producers that wait for a lease, as the latency and throughput scenarios run them: each holds its
// own graphql-ws connection (or polls over HTTP) and hands every lease it gets to whoever awaits it.
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import type { LeaseFieldsFragment } from '../../src/client/generated/graphql.js';
import { AwaitFreeConsumer, GetStats } from '../../src/client/operations.js';
import { type PollCounter, claimByPolling } from './polling.js';
import { sleep } from './stats.js';

export interface Arrival {
  lease: LeaseFieldsFragment;
  /** performance.now() when the producer held it. */
  at: number;
}

/** Leases as they reach the producers, in order; next() resolves with the next one. */
export class Arrivals {
  private queue: Arrival[] = [];
  private waiting: ((arrival: Arrival) => void) | undefined;

  push(arrival: Arrival): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(arrival);
    } else this.queue.push(arrival);
  }

  next(timeoutMs = 30_000): Promise<Arrival> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no lease arrived within ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (arrival) => {
        clearTimeout(timer);
        resolve(arrival);
      };
    });
  }
}

export interface Producers {
  stop(): Promise<void>;
}

/** `count` producers, each on its own connection, each waiting on awaitFreeConsumer and waiting again after every lease. */
export function subscribedProducers(url: string, headers: Record<string, string>, pool: string, count: number, arrivals: Arrivals, perConnection = 1): Producers {
  let stopped = false;
  const clients = Array.from({ length: Math.ceil(count / perConnection) }, () => new GraphQLClient({ url, headers }));
  const loops = Array.from({ length: count }, async (_, index) => {
    const client = clients[Math.floor(index / perConnection)]!;
    while (!stopped) {
      const stream = client.subscribe(AwaitFreeConsumer, { pool, ttlMs: 600_000 });
      try {
        const step = await stream.next();
        const at = performance.now();
        if (!step.done) arrivals.push({ lease: step.value.awaitFreeConsumer, at });
      } catch (error) {
        if (!stopped) throw error;
      } finally {
        await stream.return?.();
      }
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(clients.map((client) => client.close()));
      await Promise.allSettled(loops);
    },
  };
}

/** `count` producers polling nextFreeConsumer every `intervalMs` and claiming (the seed's design). */
export function pollingProducers(url: string, headers: Record<string, string>, pool: string, count: number, intervalMs: number, arrivals: Arrivals, counter: PollCounter): Producers {
  const abort = new AbortController();
  const clients = Array.from({ length: count }, () => new GraphQLClient({ url, headers }));
  const loops = clients.map(async (client) => {
    while (!abort.signal.aborted) {
      const lease = await claimByPolling(client, pool, intervalMs, counter, abort.signal);
      if (lease) arrivals.push({ lease, at: performance.now() });
    }
  });
  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}

/** Resolves once `count` producers wait in `pool` on this replica (stats.waitingProducers). */
export async function waitersReady(client: GraphQLClient, pool: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stats } = await client.request(GetStats, { pool });
    const waiting = stats.waitingProducers;
    if (waiting >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${waiting} of ${count} producers are waiting in ${pool}`);
    await sleep(2);
  }
}
