// Rows as the statements return them, and the domain shapes made from them.
import type { Consumer, ConsumerChange, ConsumerStatus, Job, JobState, Lease, LeaseState, SettableStatus } from '../types.js';

export interface ConsumerRow {
  id: string;
  pool: string;
  topic: string;
  status: string;
  declaredStatus: string;
  capacity: number;
  inFlight: number;
  labels: string[];
  epoch: number;
  lastHeartbeatAt: Date | string | null;
  freeSince: Date | string | null;
  offlineSince: Date | string | null;
  registeredAt: Date | string;
  deregisteredAt: Date | string | null;
}

/** A consumer row as announced: with what the change did. */
export interface ChangedRow extends ConsumerRow {
  slotOpened: boolean;
  removed: boolean;
}

/** A lease row with its consumer's columns (see leaseColumns and consumerColumns). */
export interface LeaseRow extends ConsumerRow {
  leaseId: string;
  leaseState: string;
  attempt: number;
  claimedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endReason: string | null;
}

/** A job's message. */
export interface JobPayload {
  messageKey: string | null;
  messageValue: string;
  messageHeaders: Record<string, string> | null;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const toDateOrNull = (value: Date | string | null): Date | null => (value === null ? null : toDate(value));

/** Rows come from a query (dates as Date) or from a NOTIFY payload (dates as ISO strings). */
export function consumerFromRow(row: ConsumerRow): Consumer {
  return {
    id: row.id,
    pool: row.pool,
    topic: row.topic,
    status: row.status as ConsumerStatus,
    declaredStatus: row.declaredStatus as SettableStatus,
    alive: row.offlineSince === null,
    capacity: row.capacity,
    inFlight: row.inFlight,
    labels: row.labels,
    epoch: row.epoch,
    lastHeartbeatAt: toDateOrNull(row.lastHeartbeatAt),
    freeSince: toDateOrNull(row.freeSince),
    offlineSince: toDateOrNull(row.offlineSince),
    registeredAt: toDate(row.registeredAt),
    deregisteredAt: toDateOrNull(row.deregisteredAt),
  };
}

export function changeFromRow(row: ChangedRow): ConsumerChange {
  return { consumer: consumerFromRow(row), slotOpened: row.slotOpened, removed: row.removed };
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

/** The message of a row, as it is produced. */
export const messageOf = (row: JobPayload) => ({ key: row.messageKey, value: row.messageValue, headers: row.messageHeaders ?? {} });

/** A jobs row (see jobColumns). */
export interface JobRow {
  id: string;
  pool: string;
  state: string;
  /** A producer waits for it (awaitFreeConsumer, dispatch with waitMs): not a backlog job. */
  waiting: boolean;
  labels: string[];
  priority: number;
  rank: number;
  fairnessKey: string;
  attempts: number;
  messageKey: string | null;
  messageValue: string | null;
  messageHeaders: Record<string, string> | null;
  idempotencyKey: string | null;
  leaseId: string | null;
  submittedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  sourceTopic: string | null;
  sourcePartition: number | null;
  sourceOffset: string | null;
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    pool: row.pool,
    state: row.state as JobState,
    labels: row.labels,
    priority: row.priority,
    fairnessKey: row.fairnessKey === '' ? null : row.fairnessKey,
    attempts: row.attempts,
    key: row.messageKey,
    value: row.messageValue,
    headers: row.messageHeaders ?? {},
    idempotencyKey: row.idempotencyKey,
    leaseId: row.leaseId,
    submittedAt: row.submittedAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    source:
      row.sourceTopic === null || row.sourcePartition === null || row.sourceOffset === null
        ? null
        : { topic: row.sourceTopic, partition: row.sourcePartition, offset: row.sourceOffset },
  };
}
