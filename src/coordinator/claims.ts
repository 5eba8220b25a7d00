// Claims: a producer takes a slot of the next free consumer — now, or waiting in line — and either
// sends the job itself (recording it first) or has Handoff produce it (dispatch). A producer that
// waits is a row of the jobs table (see sql/assignment.ts): the statement that opens a slot hands it
// the lease, in the same order as the backlog, on whichever replica the slot opens.
import { randomUUID } from 'node:crypto';
import { jobRecordHeaders } from '../protocol/headers.js';
import { isUniqueViolation } from '../sql/database.js';
import { Batcher } from './batcher.js';
import { badInput, conflict, kafkaUnavailable, noFreeConsumer, notFound, shuttingDown } from './errors.js';
import type { Filler } from './filler.js';
import { type Clock, type Database, type JobMessage, type JobTransport, type Observer, type Produced, TransportUnavailableError } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { abandonWait, releaseAssigned } from './sql/abandonWait.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import { type ClaimedJob, claimFreeConsumer, claimFreeConsumers } from './sql/claimFreeConsumer.js';
import { type MatchingCounts, countMatching } from './sql/countMatching.js';
import { endLease } from './sql/endLease.js';
import { enqueueJobs } from './sql/enqueueJobs.js';
import { findJob } from './sql/findJob.js';
import { findJobByRequestKey } from './sql/findJobByRequestKey.js';
import { findLease } from './sql/findLease.js';
import { poolExists } from './sql/poolExists.js';
import { recordJob } from './sql/recordJob.js';
import { leaseFromRow } from './sql/rows.js';
import type { Lease } from './types.js';
import { type ClaimRequest, type MessageInput, type OrderInput, checkClaim, checkLeaseId, checkMessage, checkOrder, checkPool, checkLabels } from './validate.js';
import { AbortedWaitError, Waiters } from './waiters.js';

export interface ClaimInput {
  pool: string;
  labels?: readonly string[] | null;
  ttlMs?: number | null;
}

/** A waiting producer's request: where its place in line is, and its own key for it. */
export interface WaitInput extends ClaimInput, OrderInput {
  /** The same key (from the same API key) gets the same lease: a resubscription never takes a second slot. */
  requestKey?: string | null;
}

export interface DispatchInput extends WaitInput {
  message: MessageInput;
  /** How long to wait for a free consumer; 0 (the default) does not wait. */
  waitMs?: number | null;
}

export interface Dispatch extends Produced {
  lease: Lease;
  topic: string;
}

/** Who asks: waits and request keys are the API key's own. */
export interface Requester {
  keyId: string;
}

const uniqueRequestConstraint = 'jobs_pool_requested_by_request_key_key';

/** Why nothing was claimable, in numbers: what a caller needs to tell a busy pool from a dead one. */
function noFreeConsumerMessage(pool: string, labels: readonly string[], counts: MatchingCounts): string {
  const where = `pool ${pool}${labels.length ? ` with labels ${labels.join(', ')}` : ''}`;
  if (counts.matching === 0) return `no consumer in ${where} (none carries those labels)`;
  return (
    `no free consumer in ${where}: of ${counts.matching} matching, ${counts.offline} OFFLINE (no sign of life within the heartbeat TTL), ` +
    `${counts.busy} BUSY, ${counts.draining} DRAINING, ${counts.full} full (every slot leased)`
  );
}

type WaitRequest = ClaimRequest & { priority: number; fairnessKey: string; requestKey: string | undefined };

/** The most claims one statement carries. */
const maxClaimBatch = 64;

export class Claims {
  private readonly waiters: Waiters;
  /**
   * Claims without a job that arrive while one is in flight are made together (claimTogether); one
   * alone, or one the batch left without a lease, is made as ever (tryClaim).
   */
  private readonly claims = new Batcher<ClaimRequest, Lease | undefined>(
    (claim) => this.tryClaim(claim, undefined),
    (claims) => this.claimTogether(claims),
    maxClaimBatch,
  );

  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly jobSettings: JobSettings,
    private readonly replicaId: string,
    waiters: Waiters,
    private readonly filler: Filler,
    /** Kafka, when configured: dispatch produces through it. */
    private readonly transport: JobTransport | undefined,
    private readonly observer: Observer,
    private readonly clock: Clock,
    /** Produces jobs Handoff assigned itself. */
    private readonly deliver: (jobs: readonly AssignedJob[] | null | undefined) => void,
  ) {
    this.waiters = waiters;
  }

  /** Checks what a subscriber watches: a pool and labels. */
  checkWatch(pool: string, labels?: readonly string[] | null): { pool: string; labels: string[] } {
    const { limits } = this.settings;
    return { pool: checkPool(limits, pool), labels: checkLabels(limits, labels) };
  }

  /** Reserves a slot of the longest-idle free consumer, or refuses with NO_FREE_CONSUMER / NOT_FOUND. */
  async claimFreeConsumer(input: ClaimInput): Promise<Lease> {
    const claim = this.checkClaim(input);
    const lease = await this.claims.add(claim);
    if (!lease) throw await this.noFreeConsumer(claim);
    this.observer.claimed(claim.pool, 0);
    return lease;
  }

  /**
   * Waits in line for a free consumer and resolves with a lease claimed for this caller. Waiting on a
   * pool nobody has registered in yet is allowed: producers may start before consumers.
   */
  async awaitFreeConsumer(input: WaitInput, signal: AbortSignal, requester?: Requester): Promise<Lease> {
    const request = this.checkWait(input);
    const started = this.clock.now();
    const lease = (await this.claimOrFind(request, undefined, requester)) ?? (await this.waitInLine(request, undefined, signal, requester));
    this.observer.claimed(request.pool, this.clock.now() - started);
    return lease;
  }

  /**
   * Claims a free consumer (waiting up to `waitMs`, in the same line as everyone), records the job on
   * the lease, and produces it to the consumer's topic with the lease id and attempt in its headers.
   * If producing fails, the lease is released: no slot leaks. A dispatch repeated with its request
   * key returns the first one's lease (partition -1, offset "-1": the first call produced it).
   */
  async dispatch(input: DispatchInput, signal?: AbortSignal, requester?: Requester): Promise<Dispatch> {
    const { limits } = this.settings;
    const request = this.checkWait(input);
    const waitMs = input.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > limits.maxWaitMs) {
      throw badInput(`waitMs must be an integer from 0 to ${limits.maxWaitMs} (got ${waitMs})`);
    }
    const message = checkMessage(limits, input.message);
    const transport = this.transport;
    if (!transport) throw kafkaUnavailable('Kafka is not configured on this server (set KAFKA_BROKERS)');

    const started = this.clock.now();
    const jobId = randomUUID();
    let lease = await this.claimOrFind(request, { id: jobId, message }, requester);
    if (lease && lease.state !== 'DISPATCHED' && lease.state !== 'CLAIMED') {
      return { lease, topic: lease.consumer.topic, partition: -1, offset: '-1' };
    }
    if (!lease) {
      if (waitMs === 0) throw await this.noFreeConsumer(request);
      lease = await this.waitWithin(request, message, waitMs, signal, requester);
    }
    this.observer.claimed(request.pool, this.clock.now() - started);
    const topic = lease.consumer.topic;
    let produced: Produced;
    try {
      produced = await transport.produce(topic, { key: message.key, value: message.value, headers: jobRecordHeaders(message.headers, lease) });
    } catch (error) {
      const [released] = await endLease(this.db, 'RELEASED', lease.id, {}, this.jobSettings);
      this.deliver(released?.assigned);
      if (!(error instanceof TransportUnavailableError)) throw error;
      throw kafkaUnavailable(`${error.message}; lease ${lease.id} was released, nothing was sent`);
    }
    return { lease, topic, ...produced };
  }

  /**
   * A producer that sends the job itself (HandoffProducer.send) records it on its claimed lease first:
   * the lease becomes DISPATCHED with the job's processing deadline, and Handoff can send the job
   * again if its consumer fails.
   */
  async attachJob(id: string, message: MessageInput): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const job = { newJobId: randomUUID(), message: checkMessage(this.settings.limits, message), processingTtlMs: this.settings.processingTtlMs };
    const row = await recordJob(this.db, leaseId, job);
    if (row) return leaseFromRow(row);
    const found = await findLease(this.db, leaseId);
    if (!found) throw notFound(`lease ${leaseId} does not exist`);
    throw conflict(`lease ${leaseId} is ${found.leaseState}; a job can be recorded only on a CLAIMED lease (or again, the same job)`);
  }

  /** Producers waiting on this replica. */
  waitingHere(): number {
    return this.waiters.count();
  }

  /** Ends every wait here: this replica is going away. */
  close(): void {
    this.waiters.close(shuttingDown('the server is shutting down; wait on another replica'));
  }

  private checkClaim(input: ClaimInput): ClaimRequest {
    return checkClaim(this.settings.limits, input, this.settings.defaultLeaseTtlMs);
  }

  private checkWait(input: WaitInput): WaitRequest {
    const { limits } = this.settings;
    const requestKey = input.requestKey == null ? undefined : checkRequestKey(limits.maxIdLength, input.requestKey);
    return { ...this.checkClaim(input), ...checkOrder(input), requestKey };
  }

  /** Why a claim found nothing: NOT_FOUND for a pool nobody registered in, else NO_FREE_CONSUMER with the counts. */
  private async noFreeConsumer({ pool, labels }: ClaimRequest): Promise<Error> {
    const counts = await countMatching(this.db, pool, labels);
    if (counts.matching === 0 && !(await poolExists(this.db, pool))) return notFound(`pool ${pool} has no registered consumer`);
    return noFreeConsumer(noFreeConsumerMessage(pool, labels, counts), { consumers: counts });
  }

  /**
   * Without a request key: a claim now, if a slot is free. With one: the lease its key already has,
   * or else a claim now recorded under the key. Undefined when the caller must wait.
   */
  private async claimOrFind(request: WaitRequest, job: { id: string; message: JobMessage } | undefined, requester: Requester | undefined) {
    if (request.requestKey === undefined || requester === undefined) {
      return this.tryClaim(request, job && this.claimedJob(job.id, job.message, request, undefined));
    }
    const existing = await this.leaseOfRequest(request, requester);
    if (existing !== undefined) return existing ?? undefined;
    try {
      return await this.tryClaim(request, this.claimedJob(job?.id ?? randomUUID(), job?.message, request, requester));
    } catch (error) {
      // Another replica claimed under the same key a moment ago: that is the lease.
      if (!isUniqueViolation(error, uniqueRequestConstraint)) throw error;
      return (await this.leaseOfRequest(request, requester)) ?? undefined;
    }
  }

  /** The lease a request key already has (a lease), that it waits (null: wait for it), or nothing yet (undefined). */
  private async leaseOfRequest(request: WaitRequest, requester: Requester): Promise<Lease | null | undefined> {
    const job = await findJobByRequestKey(this.db, request.pool, requester.keyId, request.requestKey ?? '');
    if (!job) return undefined;
    // CANCELLED: its producer left (a dropped socket, a dispatch out of time) before it took a lease;
    // waiting again under the key puts that job back in line (enqueueJobs), where it was.
    if (job.leaseId === null || job.state === 'CANCELLED') return null;
    const lease = await findLease(this.db, job.leaseId);
    return lease ? leaseFromRow(lease) : null;
  }

  private claimedJob(id: string, message: JobMessage | undefined, request: WaitRequest, requester: Requester | undefined): ClaimedJob {
    return {
      id,
      message,
      processingTtlMs: this.settings.processingTtlMs,
      priority: request.priority,
      fairnessKey: request.fairnessKey,
      requestKey: requester ? request.requestKey : undefined,
      requestedBy: requester?.keyId,
    };
  }

  /**
   * Claims without waiting on rows other statements hold; if that finds nothing, once more waiting
   * for them, since a consumer locked by a claim or a completion in flight may still have a free
   * slot: no claim is refused while a slot is free.
   */
  private async tryClaim(request: ClaimRequest, job: ClaimedJob | undefined): Promise<Lease | undefined> {
    const claim = { ...request, leaseId: randomUUID(), job };
    const row = (await claimFreeConsumer(this.db, claim, 'skip')) ?? (await claimFreeConsumer(this.db, claim, 'wait'));
    return row && leaseFromRow(row);
  }

  /**
   * Claims that arrived together: those of one pool and labels in one statement, skipping consumers
   * other statements hold. A claim it leaves without a lease (fewer consumers claimable at once than
   * claims) is then made alone, which also waits for held consumers: no claim is refused while a
   * slot is free.
   */
  private async claimTogether(requests: readonly ClaimRequest[]): Promise<Map<ClaimRequest, Lease>> {
    const groups = new Map<string, { pool: string; labels: string[]; requests: ClaimRequest[] }>();
    for (const request of requests) {
      const { pool, labels } = request;
      const key = JSON.stringify([pool, labels]);
      const group = groups.get(key) ?? { pool, labels, requests: [] };
      group.requests.push(request);
      groups.set(key, group);
    }
    const claimed = new Map<ClaimRequest, Lease>();
    for (const { pool, labels, requests: grouped } of groups.values()) {
      const asked = grouped.map((request) => ({ request, leaseId: randomUUID() }));
      const rows = await claimFreeConsumers(this.db, { pool, labels, leases: asked.map(({ request, leaseId }) => ({ leaseId, ttlMs: request.ttlMs })) });
      const byLease = new Map(rows.map((row) => [row.leaseId, row]));
      for (const { request, leaseId } of asked) {
        const row = byLease.get(leaseId);
        if (row) claimed.set(request, leaseFromRow(row));
      }
    }
    return claimed;
  }

  /** Waits in line (its job a row of the pool's line) until a slot opens for it, or `signal` aborts. */
  private async waitInLine(request: WaitRequest, message: JobMessage | undefined, signal: AbortSignal, requester?: Requester): Promise<Lease> {
    const jobId = randomUUID();
    // Listening before the row exists: its lease may be announced the moment the row commits.
    const listening = new AbortController();
    const waiting = this.waiters.wait(jobId, AbortSignal.any([signal, listening.signal]));
    waiting.catch(() => undefined); // awaited below; ended on purpose when this wait moves to another job
    const keyed = request.requestKey !== undefined && requester !== undefined;
    let row;
    try {
      [row] = await enqueueJobs(this.db, {
        pool: request.pool,
        jobs: [{ id: jobId, message, labels: request.labels, priority: request.priority, fairnessKey: request.fairnessKey }],
        waiter: {
          replicaId: this.replicaId,
          claimTtlMs: request.ttlMs,
          requestKey: keyed ? request.requestKey : undefined,
          requestedBy: keyed ? requester?.keyId : undefined,
        },
      });
    } catch (error) {
      listening.abort();
      throw error;
    }
    if (!row?.id) throw new Error('enqueueing a waiting producer returned no job');
    if (row.id !== jobId) {
      // The request key's job was waiting already (on another replica, or for a subscription that
      // dropped): it waits here now. Its lease may have come just before it moved: read it once.
      listening.abort();
      const taken = this.waiters.wait(row.id, signal);
      const job = await findJob(this.db, row.id);
      const lease = job?.leaseId ? await findLease(this.db, job.leaseId) : undefined;
      if (lease) this.waiters.settle(row.id, leaseFromRow(lease));
      // A job back in line after its producer left may find a slot that opened meanwhile.
      else this.filler.fill(request.pool);
      return this.leaseOrLeave(row.id, taken);
    }
    // A slot may have opened between the claim that found none and the row's commit: fill now.
    this.filler.fill(request.pool);
    return this.leaseOrLeave(jobId, waiting);
  }

  /** The lease the wait ends with; when the producer left first, its job leaves the line. */
  private async leaseOrLeave(jobId: string, waiting: Promise<Lease>): Promise<Lease> {
    try {
      return await waiting;
    } catch (error) {
      if (error instanceof AbortedWaitError) await this.leave(jobId);
      throw error;
    }
  }

  /** The producer left: its job leaves the line, or gives back the lease it got meanwhile. */
  private async leave(jobId: string): Promise<void> {
    if (await abandonWait(this.db, jobId)) return;
    const [row] = await releaseAssigned(this.db, jobId, this.jobSettings);
    // The slot the lease held takes its next job: if that is one Handoff produces, produce it.
    this.deliver(row?.assigned);
  }

  /** Waits in line for up to `waitMs`; NO_FREE_CONSUMER when the time runs out. */
  private async waitWithin(request: WaitRequest, message: JobMessage, waitMs: number, signal: AbortSignal | undefined, requester?: Requester) {
    const timeout = AbortSignal.timeout(waitMs);
    try {
      return await this.waitInLine(request, message, signal ? AbortSignal.any([signal, timeout]) : timeout, requester);
    } catch (error) {
      if (error instanceof AbortedWaitError && timeout.aborted) {
        throw noFreeConsumer(`no free consumer in pool ${request.pool} within ${waitMs} ms`);
      }
      throw error;
    }
  }
}

function checkRequestKey(maxLength: number, key: string): string {
  if (key.length < 1 || key.length > maxLength || key.includes('\u0000')) {
    throw badInput(`requestKey must be 1–${maxLength} characters without NUL (got ${JSON.stringify(key.slice(0, 50))})`);
  }
  return key;
}
