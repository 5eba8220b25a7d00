import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns } from './fragments.js';
import type { ConsumerRow } from './rows.js';

/** A consumer as a session checks it: the row (deregistered ones too) and how often it was judged OFFLINE. */
export interface SessionConsumerRow extends ConsumerRow {
  offlineVerdicts: number;
}

/** The consumers with these ids, as their sessions check them every beat. */
export function findSessionConsumers(db: Database, ids: readonly string[]): Promise<SessionConsumerRow[]> {
  return db.query<SessionConsumerRow>(sql`
    SELECT ${consumerColumns('c')}, c.offline_verdicts AS "offlineVerdicts" FROM consumers c WHERE c.id = ANY(${ids}::text[])`);
}
