// What the domain needs from the world, and nothing more. The edges implement these: src/db (the
// database), src/events (the change source), src/kafka (the job transport); tests may give their own.
import type { SqlDatabase } from '../sql/database.js';
import type { ConsumerChange, Lease } from './types.js';

/** The database: every domain operation is one statement run through it. */
export type Database = SqlDatabase;

/** A waiting producer's job got a lease (announced to every replica; the one it waits on takes it). */
export interface Assignment {
  jobId: string;
  replicaId: string;
  lease: Lease;
}

/** Committed consumer changes and assignments, from every replica, in commit order per connection. */
export interface ChangeSource {
  /** Calls `handler` for every change; returns the function that stops it. */
  onChange(handler: (change: ConsumerChange) => void): () => void;
  /** Calls `handler` for every assignment to a waiting producer; returns the function that stops it. */
  onAssignment(handler: (assignment: Assignment) => void): () => void;
  /** Calls `handler` when changes may have been missed (the connection was lost and is back). */
  onGap(handler: () => void): () => void;
}

export interface JobMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export interface Produced {
  partition: number;
  offset: string;
}

/** The transport could not be reached or refused; the message says which operation. */
export class TransportUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

/** How jobs reach consumers (Kafka). Failures are TransportUnavailableError. */
export interface JobTransport {
  /** Creates a topic (a consumer's: one partition; a pool's intake: more) unless it exists. */
  ensureTopic(topic: string, partitions?: number): Promise<void>;
  produce(topic: string, message: JobMessage): Promise<Produced>;
  /** Produces many records (to any topics) in one request; all or nothing. */
  produceMany(records: readonly { topic: string; message: JobMessage }[]): Promise<void>;
}

/** Time, for what the domain measures itself (waits); deadlines are the database's clock. */
export interface Clock {
  /** Milliseconds from an arbitrary origin, monotonic. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

export interface SweepReport {
  offline: number;
  expiredClaims: number;
  expiredJobs: number;
  redelivered: number;
  deadLettered: number;
  /** Ended leases pruned past the history retention. */
  pruned: number;
  /** Jobs assigned to free slots by the sweep (sent again, or the backlog's after a gap). */
  assigned: number;
  /** Pending jobs raised one priority level by ageing. */
  aged: number;
}

/** Told what happened, after it committed: metrics listen here. */
export interface Observer {
  /** A slot was claimed in `pool`, after waiting `waitedMs` in line (0 for an immediate claim). */
  claimed(pool: string, waitedMs: number): void;
  swept(report: SweepReport): void;
  /**
   * At each sweep: the worst lag this replica measured over the last heartbeat TTL, and how much longer
   * than the TTL a consumer must be silent now before it is judged OFFLINE (the worst lag of any replica).
   */
  lagged?(lagMs: number, graceMs: number): void;
  /** Handoff produced these assigned jobs itself (the backlog's, and jobs sent again: attempt > 1). */
  delivered(jobs: readonly { attempt: number }[]): void;
}

export const unobserved: Observer = { claimed: () => {}, swept: () => {}, delivered: () => {} };
