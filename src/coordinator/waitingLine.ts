// Producers waiting for a free consumer, per pool, in arrival order. When a slot opens, the line is
// served front to back: the longest-waiting producer whose labels match gets the claim, exactly one
// claim is tried per freed slot (no thundering herd), and the atomic claim makes sure no other
// producer, here or on another replica, gets the same slot.
import type { Logger } from '../logger.js';
import type { ClaimedJob } from './sql/claimFreeConsumer.js';
import type { Lease } from './types.js';
import type { ClaimRequest } from './validate.js';

export interface WaitRequest extends ClaimRequest {
  /** dispatch: the job to record on the lease as it is claimed (the lease is then DISPATCHED). */
  job?: ClaimedJob | undefined;
}

interface Waiter extends WaitRequest {
  settled: boolean;
  resolve(lease: Lease): void;
  reject(error: unknown): void;
}

export interface WaitingLineDeps {
  /** One atomic claim; undefined when nothing matching is free. */
  claim(request: WaitRequest): Promise<Lease | undefined>;
  /** Gives back a lease claimed for a waiter that left meanwhile. */
  release(leaseId: string): Promise<void>;
  log: Logger;
}

export class AbortedWaitError extends Error {
  constructor() {
    super('stopped waiting for a free consumer');
    this.name = 'AbortedWaitError';
  }
}

export class WaitingLine {
  private readonly lines = new Map<string, Waiter[]>();
  private readonly passes = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(private readonly deps: WaitingLineDeps) {}

  /** Resolves with a lease once this request reaches the front of its pool's line and a consumer is free. */
  wait(request: WaitRequest, signal: AbortSignal): Promise<Lease> {
    if (signal.aborted) return Promise.reject(new AbortedWaitError());
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        ...request,
        settled: false,
        resolve: (lease) => {
          waiter.settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject: (error) => {
          waiter.settled = true;
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        this.remove(waiter);
        waiter.reject(new AbortedWaitError());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const line = this.lines.get(request.pool) ?? [];
      line.push(waiter);
      this.lines.set(request.pool, line);
      this.serve(request.pool);
    });
  }

  /** How many producers wait, in one pool or in all. */
  count(pool?: string): number {
    if (pool !== undefined) return this.lines.get(pool)?.length ?? 0;
    let total = 0;
    for (const line of this.lines.values()) total += line.length;
    return total;
  }

  /** Serves every pool with someone waiting: after a gap in notifications, and on a timer as a safety net. */
  serveAll(): void {
    for (const pool of this.lines.keys()) this.serve(pool);
  }

  /** Serves a pool's line; passes over one pool never overlap, and a request during a pass runs one more. */
  serve(pool: string): void {
    if (!this.lines.has(pool)) return;
    const running = this.passes.get(pool);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    this.passes.set(pool, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.pass(pool);
        } while (state.again && this.lines.has(pool));
      } catch (error) {
        // A failed release: the lease runs out by its TTL; the waiters stay for the next pass.
        this.deps.log.error({ err: error, pool }, 'serving waiting producers failed');
      } finally {
        this.passes.delete(pool);
      }
    })();
  }

  /** Rejects every waiter (shutdown); each stream ends with this error. */
  async close(error: Error): Promise<void> {
    for (const line of this.lines.values()) for (const waiter of line) waiter.reject(error);
    this.lines.clear();
    await Promise.all([...this.passes.values()].map((pass) => pass.done));
  }

  private async pass(pool: string): Promise<void> {
    // Label sets known to have nothing free in this pass; a waiter asking for a superset is skipped too.
    const exhausted: string[][] = [];
    for (const waiter of [...(this.lines.get(pool) ?? [])]) {
      if (waiter.settled) continue;
      if (exhausted.some((labels) => labels.every((label) => waiter.labels.includes(label)))) continue;
      let lease: Lease | undefined;
      try {
        lease = await this.deps.claim(waiter);
      } catch (error) {
        // The database is unreachable or refused: keep everyone waiting; the timer tries again.
        this.deps.log.error({ err: error, pool }, 'claim for a waiting producer failed');
        return;
      }
      if (!lease) {
        exhausted.push(waiter.labels);
        continue;
      }
      if (waiter.settled) {
        // The producer left while its claim was in flight: give the slot straight back, to the next in line.
        await this.deps.release(lease.id);
        continue;
      }
      this.remove(waiter);
      waiter.resolve(lease);
    }
  }

  private remove(waiter: Waiter): void {
    const line = this.lines.get(waiter.pool);
    if (!line) return;
    const index = line.indexOf(waiter);
    if (index >= 0) line.splice(index, 1);
    if (line.length === 0) this.lines.delete(waiter.pool);
  }
}
