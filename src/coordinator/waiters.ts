// The producers waiting on this replica, by the id of their job: the database assigns the job a
// lease (in the statement that opens a slot) and announces it; the waiter here receives it.
import type { Assignment, ChangeSource } from './ports.js';
import type { Lease } from './types.js';

export class AbortedWaitError extends Error {
  constructor() {
    super('stopped waiting for a free consumer');
    this.name = 'AbortedWaitError';
  }
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(error: unknown): void;
}

export class Waiters {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private readonly stop: () => void;

  constructor(
    private readonly replicaId: string,
    changes: ChangeSource,
  ) {
    this.stop = changes.onAssignment((assignment) => this.assigned(assignment));
  }

  /** Resolves with the lease once job `jobId` gets one; rejects with AbortedWaitError when `signal` aborts first. */
  wait(jobId: string, signal: AbortSignal): Promise<Lease> {
    if (signal.aborted) return Promise.reject(new AbortedWaitError());
    return new Promise<Lease>((resolve, reject) => {
      const waiters = this.waiting.get(jobId) ?? new Set<Waiter>();
      const onAbort = () => {
        waiters.delete(waiter);
        if (waiters.size === 0) this.waiting.delete(jobId);
        reject(new AbortedWaitError());
      };
      const waiter: Waiter = {
        resolve: (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
      this.waiting.set(jobId, waiters);
    });
  }

  /** Hands a lease to the job's waiters here, when the job waits here (also when it was got another way). */
  settle(jobId: string, lease: Lease): boolean {
    const waiters = this.waiting.get(jobId);
    if (!waiters) return false;
    this.waiting.delete(jobId);
    for (const waiter of waiters) waiter.resolve(lease);
    return true;
  }

  /** Producers waiting on this replica. */
  count(): number {
    return this.waiting.size;
  }

  /** Ends every wait with `error` (shutdown). */
  close(error: Error): void {
    this.stop();
    for (const waiters of this.waiting.values()) for (const waiter of waiters) waiter.reject(error);
    this.waiting.clear();
  }

  private assigned(assignment: Assignment): void {
    if (assignment.replicaId === this.replicaId) this.settle(assignment.jobId, assignment.lease);
  }
}
