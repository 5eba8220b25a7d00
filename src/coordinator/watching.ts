// Which pools' consumer changes this replica's subscribers listen for, kept in the database (the
// watchers table), so that statements announce a change only where someone listens.
import type { Logger } from '../logger.js';
import type { Database } from './ports.js';
import { unwatch, watch } from './sql/watch.js';

/** '' stands for every pool (consumerStatusChanged without a pool). */
const everyPool = '';

export class Watching {
  private readonly listeners = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly replicaId: string,
    private readonly log: Logger,
  ) {}

  /**
   * Listens for the pool's changes (or every pool's) until the returned function is called; resolves
   * once statements announce them (the watcher row committed).
   */
  async watch(pool: string | null): Promise<() => void> {
    const key = pool ?? everyPool;
    const count = this.listeners.get(key) ?? 0;
    this.listeners.set(key, count + 1);
    if (count === 0) await watch(this.db, this.replicaId, key);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const left = (this.listeners.get(key) ?? 1) - 1;
      if (left > 0) {
        this.listeners.set(key, left);
        return;
      }
      this.listeners.delete(key);
      unwatch(this.db, this.replicaId, key).catch((error: unknown) => {
        // Only a few announcements too many until the sweeper forgets this replica's rows, or it restarts.
        this.log.warn({ err: error, pool: key }, 'could not stop listening for consumer changes');
      });
    };
  }
}
