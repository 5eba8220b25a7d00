import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type AuditRow, auditColumns } from './recordAudit.js';

/** The audit log, newest first; entries older than `beforeId` when given. */
export function listAudit(db: Database, listing: { beforeId?: string | undefined; limit: number }): Promise<AuditRow[]> {
  const before = listing.beforeId ?? null;
  return db.query<AuditRow>(sql`
    SELECT ${auditColumns} FROM audit_log
    WHERE (${before}::bigint IS NULL OR audit_log.id < ${before}::bigint)
    ORDER BY audit_log.id DESC
    LIMIT ${listing.limit}`);
}
