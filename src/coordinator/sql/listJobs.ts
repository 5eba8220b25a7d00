import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { jobColumns } from './fragments.js';
import type { JobRow } from './rows.js';

export interface JobListing {
  pool: string;
  state?: string | undefined;
  /** Jobs after this one in the listing's order (submitted, then id). */
  after?: { submittedAt: Date; id: string } | undefined;
  limit: number;
}

/** A pool's jobs (its backlog and their history; not waiting producers), oldest first. */
export function listJobs(db: Database, listing: JobListing): Promise<JobRow[]> {
  const state = listing.state ?? null;
  return db.query<JobRow>(sql`
    SELECT ${jobColumns('j')} FROM jobs j
    WHERE j.pool = ${listing.pool} AND j.replica_id IS NULL AND (${state}::text IS NULL OR j.state::text = ${state})
      AND (${listing.after?.submittedAt ?? null}::timestamptz IS NULL
           OR (j.submitted_at, j.id) > (${listing.after?.submittedAt ?? null}::timestamptz, ${listing.after?.id ?? null}::uuid))
    ORDER BY j.submitted_at, j.id
    LIMIT ${listing.limit}`);
}
