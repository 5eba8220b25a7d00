// The pools' recent past, for the console's charts: every sample interval, one row per pool (claims,
// completions, how long jobs waited, the backlog, consumers by status) is written to pool_samples by
// whichever replica gets there first, and kept for an hour. Charts read it from the database, so a
// reload, or a page served by another replica, shows the same hour.
import type { Logger } from '../logger.js';
import { historyWindowMs } from './admin.js';
import type { Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { type PoolSampleRow, listPoolSamples } from './sql/listPoolSamples.js';
import { prunePoolSamples } from './sql/prunePoolSamples.js';
import { samplePools } from './sql/samplePools.js';
import { checkPool } from './validate.js';

export type PoolSample = PoolSampleRow;

export class History {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly log: Logger,
  ) {}

  /** Writes the last whole interval's samples unless another replica did; prunes those past the hour. The pools sampled. */
  async sample(): Promise<string[]> {
    const intervalMs = this.settings.sampleIntervalMs;
    // Leases committed a little after the interval ended still count in it.
    const sampled = await samplePools(this.db, intervalMs, Math.min(2_000, intervalMs / 4));
    if (sampled.length > 0) await prunePoolSamples(this.db, historyWindowMs + intervalMs);
    return sampled;
  }

  /** The last hour's samples of one pool or all, by pool then time; only those after `since` when given. */
  samples(pool?: string | null, since?: Date | null): Promise<PoolSample[]> {
    return listPoolSamples(this.db, {
      pool: pool == null ? undefined : checkPool(this.settings.limits, pool),
      since: since ?? undefined,
      windowMs: historyWindowMs,
    });
  }

  /** Looks four times an interval whether a sample is due (each replica does; one writes it). */
  start(): void {
    if (this.timer) return;
    const tick = async () => {
      try {
        await this.sample();
      } catch (error) {
        this.log.error({ err: error }, 'sampling the pools failed; retrying on the next tick');
      }
    };
    this.timer = setInterval(() => {
      this.running = this.running.then(tick);
    }, Math.max(250, this.settings.sampleIntervalMs / 4));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
