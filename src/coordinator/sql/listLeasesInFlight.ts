import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, isActiveLease, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';

export interface LeaseInFlightRow extends LeaseRow {
  leasePool: string;
  jobId: string | null;
  leaseTopic: string | null;
  dispatchedAt: Date | null;
  /** How long ago it was claimed, and how long until its deadline, by the database's clock. */
  ageMs: number;
  expiresInMs: number;
}

export interface LeaseInFlightListing {
  pool?: string | undefined;
  /** Leases after this one in the listing's order (claimed, then id). */
  after?: { claimedAt: Date; id: string } | undefined;
  limit: number;
  /** One lease only. */
  id?: string | undefined;
}

/** Active leases (CLAIMED, DISPATCHED), the longest held first, with their consumers. */
export function listLeasesInFlight(db: Database, listing: LeaseInFlightListing): Promise<LeaseInFlightRow[]> {
  const pool = listing.pool ?? null;
  const id = listing.id ?? null;
  return db.query<LeaseInFlightRow>(sql`
    SELECT ${consumerColumns('c')}, ${leaseColumns('l')}, l.pool AS "leasePool", l.job_id AS "jobId", l.topic AS "leaseTopic",
           l.dispatched_at AS "dispatchedAt",
           (extract(epoch FROM now() - l.claimed_at) * 1000)::float8 AS "ageMs",
           (extract(epoch FROM l.expires_at - now()) * 1000)::float8 AS "expiresInMs"
    FROM leases l JOIN consumers c ON c.id = l.consumer_id
    WHERE ${isActiveLease('l')}
      AND (${pool}::text IS NULL OR l.pool = ${pool})
      AND (${id}::uuid IS NULL OR l.id = ${id}::uuid)
      AND (${listing.after?.claimedAt ?? null}::timestamptz IS NULL
           OR (l.claimed_at, l.id) > (${listing.after?.claimedAt ?? null}::timestamptz, ${listing.after?.id ?? null}::uuid))
    ORDER BY l.claimed_at, l.id
    LIMIT ${listing.limit}`);
}
