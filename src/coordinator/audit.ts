// The audit log: every operator action (the console's and the CLI's) is written, in the transaction of
// the change itself, with who did it, when, and what changed; a refused action changes nothing and
// writes nothing.
import { badInput } from './errors.js';
import type { Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { listAudit } from './sql/listAudit.js';
import { type AuditRow, recordAudit } from './sql/recordAudit.js';
import { type Page, pageOf } from './types.js';
import { checkPageSize } from './validate.js';

export const auditActions = [
  'DRAIN_CONSUMER',
  'RESUME_CONSUMER',
  'REMOVE_CONSUMER',
  'REQUEUE_LEASE',
  'EXPIRE_LEASE',
  'REPLAY_DEAD_LETTER',
  'DISCARD_DEAD_LETTER',
  'CANCEL_JOB',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who acts: the API key (its id and role), and the request it came in, to find its log lines. */
export interface Actor {
  keyId: string;
  role: string;
  requestId?: string | null | undefined;
}

export interface AuditEntry {
  id: string;
  at: Date;
  actorKeyId: string;
  actorRole: string;
  action: AuditAction;
  pool: string;
  /** The consumer, lease or job acted on. */
  target: string;
  summary: string;
  requestId: string | null;
}

/** What one action did, for its entry. */
export interface Audited {
  action: AuditAction;
  pool: string;
  target: string;
  summary: string;
}

/** Writes the entry for `change` (call inside the change's transaction). */
export function writeAudit(db: Database, actor: Actor, change: Audited): Promise<AuditRow> {
  return recordAudit(db, { actorKeyId: actor.keyId, actorRole: actor.role, requestId: actor.requestId ?? null, ...change });
}

const entryFromRow = (row: AuditRow): AuditEntry => ({ ...row, action: row.action as AuditAction });

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
  ) {}

  /** The newest entries first; `beforeId` (an entry's id) for the next page. */
  async entries(first: number | null | undefined, beforeId: string | null | undefined): Promise<Page<AuditEntry>> {
    const limit = checkPageSize(this.settings.limits, first);
    if (beforeId != null && !/^[1-9][0-9]{0,18}$/.test(beforeId)) throw badInput('after is not a cursor returned by auditLog');
    const rows = await listAudit(this.db, { beforeId: beforeId ?? undefined, limit: limit + 1 });
    return pageOf(rows, limit, entryFromRow);
  }
}
