// Counts per pool, from the database, with the producers waiting on this replica.
import type { Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { countByPool } from './sql/countByPool.js';
import type { PoolStats } from './types.js';
import { checkPool } from './validate.js';

const counted = ['consumers', 'free', 'busy', 'draining', 'offline', 'capacity', 'inFlight', 'claimsLastMinute', 'deadLettered'] as const;

export class Stats {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    /** Producers waiting on this replica, in one pool or in all. */
    private readonly waiting: (pool?: string) => number,
  ) {}

  /** One pool, or every pool summed. */
  async stats(pool?: string | null): Promise<PoolStats> {
    const name = pool == null ? undefined : checkPool(this.settings.limits, pool);
    const total: PoolStats = {
      pool: name ?? null,
      consumers: 0,
      free: 0,
      busy: 0,
      draining: 0,
      offline: 0,
      capacity: 0,
      inFlight: 0,
      claimsLastMinute: 0,
      deadLettered: 0,
      waitingProducers: this.waiting(name),
    };
    for (const row of await countByPool(this.db, name)) for (const key of counted) total[key] += row[key];
    return total;
  }

  /** Each pool on its own. */
  async pools(): Promise<PoolStats[]> {
    const rows = await countByPool(this.db, undefined);
    return rows.map((row) => ({ ...row, waitingProducers: this.waiting(row.pool) }));
  }
}
