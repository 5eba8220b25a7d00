// The domain's shapes, shared by the coordinator, the schema and the events.

export const consumerStatuses = ['FREE', 'BUSY', 'DRAINING', 'OFFLINE'] as const;
export type ConsumerStatus = (typeof consumerStatuses)[number];

/** What a caller may set; OFFLINE belongs to Handoff. */
export type SettableStatus = Exclude<ConsumerStatus, 'OFFLINE'>;

export const leaseStates = ['CLAIMED', 'DISPATCHED', 'COMPLETED', 'RELEASED', 'EXPIRED', 'FAILED', 'DEAD_LETTERED'] as const;
export type LeaseState = (typeof leaseStates)[number];

/** A lease in one of these states holds one of its consumer's slots. */
export const activeLeaseStates = ['CLAIMED', 'DISPATCHED'] as const satisfies readonly LeaseState[];

export interface Consumer {
  id: string;
  pool: string;
  topic: string;
  /** What clients see: OFFLINE while Handoff judges it gone, else what it declared. */
  status: ConsumerStatus;
  /** What the consumer said it is; losing and regaining liveness never changes it. */
  declaredStatus: SettableStatus;
  /** Handoff's verdict: a sign of life (any call with its current epoch) within the heartbeat TTL. */
  alive: boolean;
  capacity: number;
  inFlight: number;
  labels: string[];
  epoch: number;
  lastHeartbeatAt: Date | null;
  freeSince: Date | null;
  /** When Handoff judged it gone; null while alive. */
  offlineSince: Date | null;
  registeredAt: Date;
  /** Deregistered consumers are kept, with their leases, for the history retention. */
  deregisteredAt: Date | null;
}

export interface Lease {
  id: string;
  consumer: Consumer;
  state: LeaseState;
  attempt: number;
  claimedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  /** Why it ended, when it did not simply complete or get released. */
  endReason: string | null;
}

export const jobStates = ['PENDING', 'DISPATCHED', 'COMPLETED', 'CANCELLED', 'DEAD_LETTERING', 'DEAD_LETTERED'] as const;
export type JobState = (typeof jobStates)[number];

/** A unit of work in a pool's line: from the backlog (submitJobs, the Kafka intake) or from a producer (dispatch, attachJob). */
export interface Job {
  id: string;
  pool: string;
  state: JobState;
  labels: string[];
  priority: number;
  fairnessKey: string | null;
  /** Deliveries so far. */
  attempts: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  idempotencyKey: string | null;
  /** Its current lease, or its last one. */
  leaseId: string | null;
  submittedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  /** Where the Kafka intake read it; null for a job from the API. */
  source: { topic: string; partition: number; offset: string } | null;
}

/** Announced after every committed change to a consumer row. */
export interface ConsumerChange {
  consumer: Consumer;
  /** A slot became claimable: the consumer turned FREE, or a lease on it ended. */
  slotOpened: boolean;
  /** The consumer was deregistered. */
  removed: boolean;
}

/** Claimable now: declared FREE, alive, registered, with a slot left. */
export const isAvailable = (consumer: Consumer): boolean =>
  consumer.status === 'FREE' && consumer.deregisteredAt === null && consumer.inFlight < consumer.capacity;

/** A consumer carries every label a producer asks for. */
export const hasLabels = (consumer: Consumer, labels: readonly string[]): boolean => labels.every((label) => consumer.labels.includes(label));

export interface PoolStats {
  pool: string | null;
  consumers: number;
  free: number;
  busy: number;
  draining: number;
  offline: number;
  capacity: number;
  inFlight: number;
  claimsLastMinute: number;
  /** Jobs sent to the dead-letter topic after their last attempt. */
  deadLettered: number;
  /** Producers waiting for a slot (awaitFreeConsumer, dispatch with waitMs), on every replica. */
  waitingProducers: number;
  /** Backlog jobs waiting for a slot. */
  backlog: number;
  /** How long the oldest of them has waited. */
  oldestPendingMs: number | null;
  /** Times Handoff judged its registered consumers OFFLINE, and times one of them then showed life with the same epoch (a false OFFLINE). */
  offlineVerdicts: number;
  falseOfflines: number;
}

/** A page of a listing, in its order, and whether more follow (the schema makes cursors of it). */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** The page of rows fetched with one more than `limit`: that extra row only says another page follows. */
export const pageOf = <R, T>(rows: readonly R[], limit: number, toItem: (row: R) => T): Page<T> => ({
  items: rows.slice(0, limit).map((row) => toItem(row)),
  hasMore: rows.length > limit,
});
