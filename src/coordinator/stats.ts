// Counts per pool, from the database: consumers by state, slots, the backlog and the producers
// waiting (on every replica).
import type { Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { countBacklog } from './sql/countBacklog.js';
import { countByPool } from './sql/countByPool.js';
import type { PoolStats } from './types.js';
import { checkPool } from './validate.js';

const counted = ['consumers', 'free', 'busy', 'draining', 'offline', 'capacity', 'inFlight', 'claimsLastMinute', 'deadLettered', 'offlineVerdicts', 'falseOfflines'] as const;

const zero = (pool: string | null): PoolStats => ({
  pool,
  consumers: 0,
  free: 0,
  busy: 0,
  draining: 0,
  offline: 0,
  capacity: 0,
  inFlight: 0,
  claimsLastMinute: 0,
  deadLettered: 0,
  waitingProducers: 0,
  backlog: 0,
  oldestPendingMs: null,
  offlineVerdicts: 0,
  falseOfflines: 0,
});

export class Stats {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
  ) {}

  /** One pool, or every pool summed. */
  async stats(pool?: string | null): Promise<PoolStats> {
    const name = pool == null ? undefined : checkPool(this.settings.limits, pool);
    const total = zero(name ?? null);
    for (const row of await this.pools(name)) {
      for (const key of counted) total[key] += row[key];
      total.waitingProducers += row.waitingProducers;
      total.backlog += row.backlog;
      if (row.oldestPendingMs !== null) total.oldestPendingMs = Math.max(total.oldestPendingMs ?? 0, row.oldestPendingMs);
    }
    return total;
  }

  /** Each pool on its own (a pool with consumers, or with jobs waiting). */
  async pools(pool?: string): Promise<PoolStats[]> {
    const [consumers, backlog] = await Promise.all([countByPool(this.db, pool), countBacklog(this.db, pool)]);
    const byPool = new Map<string, PoolStats>();
    for (const row of consumers) byPool.set(row.pool, { ...zero(row.pool), ...row });
    for (const row of backlog) {
      const stats = byPool.get(row.pool) ?? zero(row.pool);
      byPool.set(row.pool, { ...stats, waitingProducers: row.waiting, backlog: row.pending, oldestPendingMs: row.oldestPendingMs });
    }
    return [...byPool.values()].sort((a, b) => (a.pool ?? '').localeCompare(b.pool ?? ''));
  }
}
