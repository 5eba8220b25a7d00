import { raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { ConsumerStatus } from '../types.js';
import { consumerColumns, effectiveStatus } from './fragments.js';
import type { ConsumerRow } from './rows.js';

export interface ConsumerListing {
  pool?: string | undefined;
  status?: ConsumerStatus | undefined;
  /** Ids after this one. */
  afterId?: string | undefined;
  limit: number;
}

/** Registered consumers ordered by id, `limit` of them at most; `status` as clients see it (OFFLINE when not alive). */
export function listConsumers(db: Database, listing: ConsumerListing): Promise<ConsumerRow[]> {
  const pool = listing.pool ?? null;
  const status = listing.status ?? null;
  const afterId = listing.afterId ?? null;
  return db.query<ConsumerRow>(sql`
    SELECT ${consumerColumns('c')} FROM consumers c
    WHERE c.deregistered_at IS NULL
      AND (${pool}::text IS NULL OR c.pool = ${pool})
      AND (${status}::text IS NULL OR ${raw(effectiveStatus('c'))} = ${status})
      AND (${afterId}::text IS NULL OR c.id > ${afterId})
    ORDER BY c.id
    LIMIT ${listing.limit}`);
}
