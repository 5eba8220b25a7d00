// What an operator does to a running pool (the dashboard's actions and the CLI's): drain, resume or
// remove a consumer; requeue or expire a stuck lease; replay or discard a dead letter; and what they
// look at to decide: the leases in flight and the dead letters. Every action is written to the audit
// log in its own transaction, and refused (changing nothing) with a precise code when it cannot apply.
import { isUuid, quoted } from '../protocol/names.js';
import { type Actor, type Audited, writeAudit } from './audit.js';
import { badInput, conflict, kafkaUnavailable, notFound } from './errors.js';
import { type Filler, fillSlots } from './filler.js';
import type { Database, JobTransport } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import { deregisterConsumer } from './sql/deregisterConsumer.js';
import { discardDeadLetter } from './sql/discardDeadLetter.js';
import { drainConsumer } from './sql/drainConsumer.js';
import type { EndedRow } from './sql/endLeases.js';
import { expireLease } from './sql/expireLease.js';
import { findConsumer } from './sql/findConsumer.js';
import { findJob } from './sql/findJob.js';
import { findLease } from './sql/findLease.js';
import { type DeadLetterRow, listDeadLetters } from './sql/listDeadLetters.js';
import { type LeaseInFlightRow, listLeasesInFlight } from './sql/listLeasesInFlight.js';
import { type DeadLetterChange, replayDeadLetter } from './sql/replayDeadLetter.js';
import { requeueLease } from './sql/requeueLease.js';
import { resumeConsumer } from './sql/resumeConsumer.js';
import { type ChangedRow, consumerFromRow, jobFromRow, leaseFromRow } from './sql/rows.js';
import { type Consumer, type Job, type Lease, type Page, pageOf } from './types.js';
import { checkId, checkLeaseId, checkPageSize, checkPool, checkText } from './validate.js';

/** Characters of a dead letter's key and value shown: enough to recognise it, never the whole payload. */
export const previewChars = 200;
/** How far back the console's charts reach (samples older than this are pruned). */
export const historyWindowMs = 3_600_000;
/** The longest note an operator may give an action. */
export const maxNoteLength = 500;

export interface LeaseInFlight extends Lease {
  pool: string;
  /** The job it carries; null for a claim its producer has not recorded a job on. */
  jobId: string | null;
  /** The topic its job was produced to. */
  topic: string | null;
  dispatchedAt: Date | null;
  /** By the database's clock, when it was read. */
  ageMs: number;
  expiresInMs: number;
}

/** A job out of attempts, as an operator sees it: why, and the start of its payload (escaped). */
export interface DeadLetter {
  id: string;
  pool: string;
  /** DEAD_LETTERED: written to the dead-letter topic; DEAD_LETTERING: waiting to be (Kafka was unreachable). */
  state: 'DEAD_LETTERING' | 'DEAD_LETTERED';
  attempts: number;
  priority: number;
  fairnessKey: string | null;
  reason: string | null;
  deadLetteredAt: Date | null;
  submittedAt: Date;
  keyPreview: Preview | null;
  keyBytes: number | null;
  valuePreview: Preview;
  valueBytes: number;
  headerCount: number;
  lastLeaseId: string | null;
  lastConsumerId: string | null;
  /** The dead-letter topic it was written to. */
  topic: string | null;
}

export interface Preview {
  /** Control and invisible characters written as escapes (\n, \u001b, …): safe to print anywhere. */
  text: string;
  /** The payload is longer than the preview. */
  truncated: boolean;
}

/** What the console shows beside the data: how to read it. */
export interface ConsoleSettings {
  sampleIntervalMs: number;
  historyWindowMs: number;
  offlineFoldMs: number;
  maxAttempts: number;
  heartbeatTtlMs: number;
}

export interface ListingFilter {
  pool?: string | null;
  first?: number | null;
  /** The id of the last item of the previous page. */
  afterId?: string | null;
}

// C0 and C1 controls, DEL, and the characters that are invisible or reorder text (bidi overrides).
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;
const shortEscapes: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The first `max` characters of `text`, with control and invisible characters escaped. */
export function previewOf(text: string, max = previewChars): Preview {
  const characters = Array.from(text); // by code point: a cut never splits a surrogate pair
  const shown = characters.slice(0, max).join('');
  return {
    text: shown.replace(unsafeCharacters, (c) => shortEscapes[c] ?? `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0')}`),
    truncated: characters.length > max,
  };
}

const note = (text: string | null | undefined): string => {
  if (text == null || text.trim() === '') return '';
  if (text.length > maxNoteLength) throw badInput(`reason must be at most ${maxNoteLength} characters (got ${text.length})`);
  return `: ${checkText('reason', text).trim()}`;
};

const checkJobId = (id: string): string => {
  if (!isUuid(id)) throw badInput(`job id must be a UUID (got ${quoted(id)})`);
  return id.toLowerCase();
};

export class Admin {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly jobSettings: JobSettings,
    private readonly transport: JobTransport | undefined,
    private readonly filler: Filler,
    /** What happens after leases ended: their slots' new jobs produced, the lines they grew filled. */
    private readonly afterEnded: (rows: readonly EndedRow[]) => void,
    /** Produces jobs Handoff assigned itself. */
    private readonly deliver: (jobs: readonly AssignedJob[]) => void,
  ) {}

  get consoleSettings(): ConsoleSettings {
    const { sampleIntervalMs, offlineFoldMs, maxAttempts, heartbeatTtlMs } = this.settings;
    return { sampleIntervalMs, historyWindowMs, offlineFoldMs, maxAttempts, heartbeatTtlMs };
  }

  /** Declares the consumer DRAINING for it: no new job; what it holds finishes. Until the consumer declares otherwise (or re-registers). */
  async drainConsumer(id: string, actor: Actor): Promise<Consumer> {
    const consumerId = checkId(this.settings.limits, id);
    return this.audited(actor, async (tx) => {
      const before = await this.registered(tx, consumerId);
      const row = await drainConsumer(tx, consumerId);
      if (!row) throw conflict(`consumer ${consumerId} is already DRAINING`);
      const held = row.inFlight === 0 ? 'it holds no lease' : `its ${row.inFlight} lease(s) in flight finish`;
      return { result: consumerFromRow(row), audit: consumerAudit('DRAIN_CONSUMER', row, `${before.declaredStatus} → DRAINING; ${held}`) };
    });
  }

  /** Ends a drain: FREE again, and its free slots take their next jobs at once. */
  async resumeConsumer(id: string, actor: Actor): Promise<Consumer> {
    const consumerId = checkId(this.settings.limits, id);
    const { consumer, produce } = await this.audited(actor, async (tx) => {
      const before = await this.registered(tx, consumerId);
      const row = await resumeConsumer(tx, consumerId);
      if (!row) throw conflict(`consumer ${consumerId} is declared ${before.declaredStatus}, not DRAINING: only a drain can be resumed`);
      const filled = row.slotOpened ? await fillSlots(tx, { consumerId }, this.jobSettings) : undefined;
      const alive = row.offlineSince === null ? '' : ' (OFFLINE: it takes jobs once it is alive again)';
      return {
        result: { consumer: consumerFromRow(row), produce: filled?.produce ?? [] },
        audit: consumerAudit('RESUME_CONSUMER', row, `DRAINING → FREE${alive}${filled?.count ? `; took ${filled.count} job(s)` : ''}`),
      };
    });
    this.deliver(produce);
    return consumer;
  }

  /**
   * Deregisters the consumer without its epoch. Refused (CONFLICT) while it holds leases: drain it
   * and let them end, or requeue or expire them, first — a removal never drops a job.
   */
  async removeConsumer(id: string, actor: Actor): Promise<Consumer> {
    const consumerId = checkId(this.settings.limits, id);
    return this.audited(actor, async (tx) => {
      const before = await this.registered(tx, consumerId);
      const row = await deregisterConsumer(tx, consumerId, null);
      if (!row) {
        throw conflict(
          `consumer ${consumerId} holds ${before.inFlight} lease(s): drain it and let them end (or requeue or expire them), then remove it`,
        );
      }
      return { result: consumerFromRow(row), audit: consumerAudit('REMOVE_CONSUMER', row, `deregistered (was ${before.status}); its topic ${row.topic} is free`) };
    });
  }

  /** Releases an active lease; its job waits first in line, attempts kept (see sql/requeueLease.ts). */
  requeueLease(id: string, reason: string | null | undefined, actor: Actor): Promise<Lease> {
    return this.endLease('REQUEUE_LEASE', id, reason, actor);
  }

  /** Expires an active lease now: its job is sent again, or dead-lettered after its last attempt. */
  expireLease(id: string, reason: string | null | undefined, actor: Actor): Promise<Lease> {
    return this.endLease('EXPIRE_LEASE', id, reason, actor);
  }

  /** Puts a dead letter back in line, first, with its attempts reset (see sql/replayDeadLetter.ts). */
  async replayDeadLetter(id: string, actor: Actor): Promise<Job> {
    const jobId = checkJobId(id);
    if (!this.transport) throw kafkaUnavailable('Kafka is not configured on this server (set KAFKA_BROKERS): Handoff could not send the job');
    const job = await this.audited(actor, async (tx) => {
      const row = await this.deadLetterChanged(tx, jobId, await replayDeadLetter(tx, jobId), 'replayed');
      const why = row.reasonBefore ? ` (${row.reasonBefore})` : '';
      const summary = `${row.stateBefore} after ${row.attemptsBefore} attempt(s)${why} → PENDING, first in line, attempts reset to 0`;
      return { result: jobFromRow(row), audit: { action: 'REPLAY_DEAD_LETTER', pool: row.pool, target: jobId, summary } };
    });
    this.filler.fill(job.pool);
    return job;
  }

  /** Gives up on a dead letter: CANCELLED, kept for the history retention. */
  async discardDeadLetter(id: string, reason: string | null | undefined, actor: Actor): Promise<Job> {
    const jobId = checkJobId(id);
    const why = note(reason);
    return this.audited(actor, async (tx) => {
      const row = await this.deadLetterChanged(tx, jobId, await discardDeadLetter(tx, jobId, `discarded by an operator${why}`), 'discarded');
      const summary = `${row.stateBefore} after ${row.attemptsBefore} attempt(s) → CANCELLED${why}`;
      return { result: jobFromRow(row), audit: { action: 'DISCARD_DEAD_LETTER', pool: row.pool, target: jobId, summary } };
    });
  }

  /** Active leases, the longest held first. */
  async leasesInFlight(filter: ListingFilter): Promise<Page<LeaseInFlight>> {
    const { limits } = this.settings;
    const limit = checkPageSize(limits, filter.first);
    const pool = filter.pool == null ? undefined : checkPool(limits, filter.pool);
    const after = filter.afterId == null ? undefined : await findLease(this.db, checkLeaseId(filter.afterId));
    if (filter.afterId != null && !after) throw badInput('after is not a lease of this listing');
    const rows = await listLeasesInFlight(this.db, { pool, after: after && { claimedAt: after.claimedAt, id: after.leaseId }, limit: limit + 1 });
    return pageOf(rows, limit, leaseInFlightFromRow);
  }

  /** Jobs out of attempts, oldest first, with the start of their payloads. */
  async deadLetters(filter: ListingFilter): Promise<Page<DeadLetter>> {
    const { limits } = this.settings;
    const limit = checkPageSize(limits, filter.first);
    const pool = filter.pool == null ? undefined : checkPool(limits, filter.pool);
    const after = filter.afterId == null ? undefined : await findJob(this.db, checkJobId(filter.afterId));
    if (filter.afterId != null && !after) throw badInput('after is not a job of this listing');
    const rows = await listDeadLetters(this.db, { pool, after: after && { submittedAt: after.submittedAt, id: after.id }, limit: limit + 1, previewChars });
    return pageOf(rows, limit, (row) => this.deadLetterFromRow(row));
  }

  private async endLease(action: 'REQUEUE_LEASE' | 'EXPIRE_LEASE', id: string, reason: string | null | undefined, actor: Actor): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const why = note(reason);
    const { maxAttempts } = this.jobSettings;
    const { lease, rows } = await this.audited(actor, async (tx) => {
      const [held] = await listLeasesInFlight(tx, { id: leaseId, limit: 1 });
      if (!held) await this.leaseRefusal(tx, leaseId);
      const rows = action === 'REQUEUE_LEASE'
        ? await requeueLease(tx, leaseId, `requeued by an operator${why}`, this.jobSettings)
        : await expireLease(tx, leaseId, `expired by an operator${why}`, this.jobSettings);
      const [ended] = rows;
      if (!held || !ended) return this.leaseRefusal(tx, leaseId);
      const job = held.leaseState === 'CLAIMED' || held.jobId === null ? undefined : held.jobId;
      const next = job === undefined
        ? 'a claim without a job: it just ends'
        : action === 'REQUEUE_LEASE'
          ? `job ${job} waits first in line (attempts kept: ${held.attempt})`
          : held.attempt >= maxAttempts
            ? `job ${job} is dead-lettered (attempt ${held.attempt} of ${maxAttempts})`
            : `job ${job} is sent again (attempt ${held.attempt + 1} of ${maxAttempts})`;
      const summary = `${held.leaseState} lease of consumer ${held.id} (attempt ${held.attempt}, held ${Math.round(held.ageMs / 1000)} s): ${ended.leaseState}; ${next}${why}`;
      return { result: { lease: leaseFromRow(ended), rows }, audit: { action, pool: held.leasePool, target: leaseId, summary } };
    });
    this.afterEnded(rows);
    return lease;
  }

  /** Runs `change` and writes its audit entry in one transaction: both or neither. */
  private async audited<T>(actor: Actor, change: (tx: Database) => Promise<{ result: T; audit: Audited }>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const { result, audit } = await change(tx);
      await writeAudit(tx, actor, audit);
      return result;
    });
  }

  private async registered(db: Database, id: string): Promise<Consumer> {
    const row = await findConsumer(db, id);
    if (!row) throw notFound(`consumer ${id} is not registered`);
    return consumerFromRow(row);
  }

  private async leaseRefusal(db: Database, leaseId: string): Promise<never> {
    const found = await findLease(db, leaseId);
    if (!found) throw notFound(`lease ${leaseId} does not exist`);
    throw conflict(`lease ${leaseId} is already ${found.leaseState}: only a CLAIMED or DISPATCHED lease can be requeued or expired`);
  }

  private async deadLetterChanged(db: Database, jobId: string, row: DeadLetterChange | undefined, done: string): Promise<DeadLetterChange> {
    if (row) return row;
    const found = await findJob(db, jobId);
    if (!found) throw notFound(`job ${jobId} does not exist`);
    throw conflict(`job ${jobId} is ${found.state}: only a dead-lettered job (DEAD_LETTERED or DEAD_LETTERING) can be ${done}`);
  }

  private deadLetterFromRow(row: DeadLetterRow): DeadLetter {
    return {
      id: row.id,
      pool: row.pool,
      state: row.state === 'DEAD_LETTERING' ? 'DEAD_LETTERING' : 'DEAD_LETTERED',
      attempts: row.attempts,
      priority: row.priority,
      fairnessKey: row.fairnessKey === '' ? null : row.fairnessKey,
      reason: row.reason,
      deadLetteredAt: row.deadLetteredAt,
      submittedAt: row.submittedAt,
      keyPreview: row.keyStart === null ? null : previewOf(row.keyStart),
      keyBytes: row.keyBytes,
      valuePreview: previewOf(row.valueStart ?? ''),
      valueBytes: row.valueBytes,
      headerCount: row.headerCount,
      lastLeaseId: row.lastLeaseId,
      lastConsumerId: row.lastConsumerId,
      topic: row.state === 'DEAD_LETTERED' ? `${this.settings.topicPrefix}.${row.pool}.dlq` : null,
    };
  }
}

const consumerAudit = (action: Audited['action'], row: ChangedRow, summary: string): Audited => ({ action, pool: row.pool, target: row.id, summary });

function leaseInFlightFromRow(row: LeaseInFlightRow): LeaseInFlight {
  return {
    ...leaseFromRow(row),
    pool: row.leasePool,
    jobId: row.jobId,
    topic: row.leaseTopic,
    dispatchedAt: row.dispatchedAt,
    ageMs: row.ageMs,
    expiresInMs: row.expiresInMs,
  };
}
