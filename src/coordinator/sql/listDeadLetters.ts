import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

export interface DeadLetterRow {
  id: string;
  pool: string;
  state: string;
  attempts: number;
  priority: number;
  fairnessKey: string;
  reason: string | null;
  deadLetteredAt: Date | null;
  submittedAt: Date;
  /** The start of the key and of the value (a character more than a preview shows, to tell it was cut), and their full sizes. */
  keyStart: string | null;
  keyBytes: number | null;
  valueStart: string | null;
  valueBytes: number;
  headerCount: number;
  lastLeaseId: string | null;
  lastConsumerId: string | null;
}

export interface DeadLetterListing {
  pool?: string | undefined;
  /** Jobs after this one in the listing's order (submitted, then id). */
  after?: { submittedAt: Date; id: string } | undefined;
  limit: number;
  /** Characters of the key and value to read. */
  previewChars: number;
}

/** Jobs out of attempts (DEAD_LETTERING, DEAD_LETTERED), oldest first: only the start of their payloads. */
export function listDeadLetters(db: Database, listing: DeadLetterListing): Promise<DeadLetterRow[]> {
  const pool = listing.pool ?? null;
  return db.query<DeadLetterRow>(sql`
    SELECT j.id, j.pool, j.state::text AS state, j.attempts, j.priority, j.fairness_key AS "fairnessKey", j.end_reason AS reason,
           j.ended_at AS "deadLetteredAt", j.submitted_at AS "submittedAt",
           left(j.message_key, ${listing.previewChars + 1}) AS "keyStart", octet_length(j.message_key) AS "keyBytes",
           left(j.message_value, ${listing.previewChars + 1}) AS "valueStart", coalesce(octet_length(j.message_value), 0) AS "valueBytes",
           coalesce((SELECT count(*)::int FROM jsonb_object_keys(coalesce(j.message_headers, '{}'::jsonb))), 0) AS "headerCount",
           j.lease_id AS "lastLeaseId", l.consumer_id AS "lastConsumerId"
    FROM jobs j LEFT JOIN leases l ON l.id = j.lease_id
    WHERE j.state IN ('DEAD_LETTERING', 'DEAD_LETTERED')
      AND (${pool}::text IS NULL OR j.pool = ${pool})
      AND (${listing.after?.submittedAt ?? null}::timestamptz IS NULL
           OR (j.submitted_at, j.id) > (${listing.after?.submittedAt ?? null}::timestamptz, ${listing.after?.id ?? null}::uuid))
    ORDER BY j.submitted_at, j.id
    LIMIT ${listing.limit}`);
}
