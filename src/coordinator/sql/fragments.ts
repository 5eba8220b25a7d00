// SQL pieces every statement shares: how a consumer row is returned, how a change is announced,
// and which consumers a claim may take. Keeping them here keeps the statements readable and alike.
import { Prisma } from '../../db/generated/client.js';
import type { PrismaClient } from '../../db/database.js';
import type { Consumer, ConsumerChange, ConsumerStatus, Lease, LeaseState } from '../types.js';

export type Db = PrismaClient;
export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const raw = Prisma.raw;
export const empty = Prisma.empty;

/** Consumers changed in a statement are announced on this channel, delivered after commit. */
export const changesChannel = 'handoff_consumer_changes';

/** A consumer row in the shape of `Consumer`, read from table alias `t`. */
export const consumerColumns = (t: string) =>
  raw(`${t}.id, ${t}.pool, ${t}.topic, ${t}.status::text AS status, ${t}.capacity, ${t}.in_flight AS "inFlight",
       ${t}.labels, ${t}.epoch, ${t}.last_heartbeat_at AS "lastHeartbeatAt", ${t}.free_since AS "freeSince",
       ${t}.registered_at AS "registeredAt"`);

/** Claimable now: FREE with a slot left. Reads table alias `t`. */
export const isAvailableSql = (t: string) => raw(`(${t}.status = 'FREE' AND ${t}.in_flight < ${t}.capacity)`);

/**
 * Announces each row of a CTE named `changed` (consumer columns plus "slotOpened" and "removed") with
 * pg_notify. NOTIFY is delivered only when the transaction commits, so a change is never announced
 * before it is durable, and every replica listening on the channel hears it. `announce` picks the
 * rows worth announcing (a plain heartbeat is not).
 */
export const announceChanged = (announce = raw('true')) =>
  sql`CASE WHEN ${announce} THEN pg_notify(${changesChannel}, row_to_json(changed)::text)::text END AS "_announced"`;

/** Returns and announces the CTE named `changed`. */
export const selectAndAnnounce = (announce = raw('true')) => sql`SELECT changed.*, ${announceChanged(announce)} FROM changed`;

/** Who says they hold a lease: checked when given, so a replaced instance cannot act on it. */
export interface LeaseOwnerCheck {
  consumerId?: string | undefined;
  epoch?: number | undefined;
}

/** The lease `leaseId`, as `l`, held by the given consumer at the given epoch (its consumer row is `owner`). */
export const leaseOwnedBy = (leaseId: string, owner: LeaseOwnerCheck) => sql`
  l.id = ${leaseId}::uuid
  AND (${owner.consumerId ?? null}::text IS NULL OR l.consumer_id = ${owner.consumerId ?? null})
  AND (${owner.epoch ?? null}::int IS NULL OR owner.epoch = ${owner.epoch ?? null})`;

/** Where and in which order a claim looks: the right pool and labels, longest idle first, ties by id. */
export const claimableConsumers = (pool: string, labels: readonly string[]) => sql`
  SELECT id FROM consumers c
  WHERE c.pool = ${pool} AND ${isAvailableSql('c')} AND c.labels @> ${labels}::text[]
  ORDER BY c.free_since ASC NULLS LAST, c.id ASC`;

export interface ConsumerRow {
  id: string;
  pool: string;
  topic: string;
  status: string;
  capacity: number;
  inFlight: number;
  labels: string[];
  epoch: number;
  lastHeartbeatAt: Date | string | null;
  freeSince: Date | string | null;
  registeredAt: Date | string;
}

export interface ChangedRow extends ConsumerRow {
  slotOpened: boolean;
  removed: boolean;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const toDateOrNull = (value: Date | string | null): Date | null => (value === null ? null : toDate(value));

/** Rows come from $queryRaw (dates as Date) or from a NOTIFY payload (dates as ISO strings). */
export function consumerFromRow(row: ConsumerRow): Consumer {
  return {
    id: row.id,
    pool: row.pool,
    topic: row.topic,
    status: row.status as ConsumerStatus,
    capacity: row.capacity,
    inFlight: row.inFlight,
    labels: row.labels,
    epoch: row.epoch,
    lastHeartbeatAt: toDateOrNull(row.lastHeartbeatAt),
    freeSince: toDateOrNull(row.freeSince),
    registeredAt: toDate(row.registeredAt),
  };
}

export function changeFromRow(row: ChangedRow): ConsumerChange {
  return { consumer: consumerFromRow(row), slotOpened: row.slotOpened, removed: row.removed };
}

/** A lease row with its consumer's columns prefixed by `consumer_`. */
export const leaseColumns = (t: string) =>
  raw(`${t}.id AS "leaseId", ${t}.state::text AS "leaseState", ${t}.attempt, ${t}.claimed_at AS "claimedAt",
       ${t}.expires_at AS "expiresAt", ${t}.ended_at AS "endedAt", ${t}.end_reason AS "endReason"`);

export interface LeaseRow extends ConsumerRow {
  leaseId: string;
  leaseState: string;
  attempt: number;
  claimedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endReason: string | null;
}

export function leaseFromRow(row: LeaseRow): Lease {
  return {
    id: row.leaseId,
    consumer: consumerFromRow(row),
    state: row.leaseState as LeaseState,
    attempt: row.attempt,
    claimedAt: row.claimedAt,
    expiresAt: row.expiresAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
  };
}
