import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';

export interface AuditRow {
  id: string;
  at: Date;
  actorKeyId: string;
  actorRole: string;
  action: string;
  pool: string;
  target: string;
  summary: string;
  requestId: string | null;
}

export const auditColumns = sql`id::text AS id, at, actor_key_id AS "actorKeyId", actor_role AS "actorRole", action, pool, target, summary,
  request_id AS "requestId"`;

/** Writes one entry of the audit log (inside the transaction of the change it records). */
export async function recordAudit(db: Database, entry: Omit<AuditRow, 'id' | 'at'>): Promise<AuditRow> {
  const [row] = await db.query<AuditRow>(sql`
    INSERT INTO audit_log (actor_key_id, actor_role, action, pool, target, summary, request_id)
    VALUES (${entry.actorKeyId}, ${entry.actorRole}, ${entry.action}, ${entry.pool}, ${entry.target}, ${entry.summary}, ${entry.requestId})
    RETURNING ${auditColumns}`);
  if (!row) throw new Error('writing the audit entry returned no row');
  return row;
}
