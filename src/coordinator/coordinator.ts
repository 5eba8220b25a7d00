// The domain: registry, claims, leases and waiting producers. It knows nothing of GraphQL; every
// operation checks its input, runs one SQL statement, and leaves announcing to the database.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { ChangeFeed } from '../events/changeFeed.js';
import type { Logger } from '../logger.js';
import type { JobMessage, JobTransport, Produced } from '../kafka/gateway.js';
import { CoordinatorError, badInput, conflict, kafkaUnavailable, noFreeConsumer, notFound, staleEpoch } from './errors.js';
import { claimFreeConsumer } from './sql/claimFreeConsumer.js';
import { type DispatchedJob, extendLease, markLeaseDispatched } from './sql/dispatchLease.js';
import { deregisterConsumer } from './sql/deregisterConsumer.js';
import { endLease, expireClaims, expireDispatched, failLease } from './sql/endLeases.js';
import { abandonRedelivery, poolsWithJobsToRedeliver, restoreDeadLetter, takeDeadLetter, takeRedelivery } from './sql/redeliver.js';
import { type ChangedRow, type Db, consumerFromRow, leaseFromRow } from './sql/fragments.js';
import { countByPool, findConsumer, findLease, listConsumers, peekFreeConsumer, poolExists } from './sql/reads.js';
import { registerConsumer } from './sql/registerConsumer.js';
import { markSilentConsumersOffline, recordHeartbeat, setConsumerStatus } from './sql/updateConsumer.js';
import type { Consumer, ConsumerStatus, Lease, Page, PoolStats } from './types.js';
import {
  checkCapacity,
  checkId,
  checkLabels,
  checkLeaseId,
  checkPageSize,
  checkPool,
  checkSettableStatus,
  checkTopic,
  checkTtl,
} from './validate.js';
import { AbortedWaitError, type WaitRequest, WaitingLine } from './waitingLine.js';

export interface RegisterInput {
  id: string;
  pool?: string | null;
  topic?: string | null;
  capacity?: number | null;
  labels?: readonly string[] | null;
}

export interface ClaimInput {
  pool: string;
  labels?: readonly string[] | null;
  ttlMs?: number | null;
}

export interface JobInput {
  key?: string | null;
  value: string;
  headers?: readonly { key: string; value: string }[] | null;
}

/** Who says they hold a lease: checked when given, so a replaced instance cannot complete it. */
export interface LeaseOwner {
  consumerId?: string | null;
  epoch?: number | null;
}

export interface DispatchInput extends ClaimInput {
  message: JobInput;
  /** How long to wait for a free consumer; 0 (the default) does not wait. */
  waitMs?: number | null;
}

export interface Dispatch extends Produced {
  lease: Lease;
  topic: string;
}

export interface SweepReport {
  offline: number;
  expiredClaims: number;
  expiredJobs: number;
  redelivered: number;
  deadLettered: number;
}

/** Told what happened, after it committed: metrics listen here. */
export interface CoordinatorObserver {
  /** A slot was claimed in `pool`, after waiting `waitedMs` in line (0 for an immediate claim). */
  claimed(pool: string, waitedMs: number): void;
  swept(report: SweepReport): void;
}

const unobserved: CoordinatorObserver = { claimed: () => {}, swept: () => {} };

export interface ConsumerFilter {
  pool?: string | null;
  status?: ConsumerStatus | null;
  first?: number | null;
  after?: string | null;
}

export class Coordinator {
  private readonly db: Db;
  private readonly line: WaitingLine;
  private readonly stopFeed: () => void;
  private readonly stopGap: () => void;

  constructor(
    database: Database,
    feed: ChangeFeed,
    private readonly config: Config,
    private readonly log: Logger,
    /** Kafka, when configured: consumer topics are created on registration, and dispatch produces. */
    private readonly transport?: JobTransport,
    private readonly observer: CoordinatorObserver = unobserved,
  ) {
    this.db = database.prisma;
    this.line = new WaitingLine({
      claim: (request) => this.tryClaim(request),
      release: async (leaseId) => {
        await endLease(this.db, 'RELEASED', leaseId, {});
      },
      log,
    });
    this.stopFeed = feed.onChange((change) => {
      if (change.slotOpened) this.line.serve(change.consumer.pool);
    });
    this.stopGap = feed.onGap(() => this.line.serveAll());
  }

  // ---- consumers -------------------------------------------------------------------------------

  /** Registers a consumer as FREE, or re-registers it with a new epoch. */
  async registerConsumer(input: RegisterInput): Promise<Consumer> {
    const { limits } = this.config;
    const id = checkId(limits, input.id);
    const pool = checkPool(limits, input.pool ?? 'default');
    const topic = checkTopic(input.topic ?? defaultTopic(this.config.topicPrefix, pool, id));
    const capacity = checkCapacity(limits, input.capacity);
    const labels = checkLabels(limits, input.labels);
    let consumer: Consumer;
    try {
      consumer = consumerFromRow(await registerConsumer(this.db, { id, pool, topic, capacity, labels }));
    } catch (error) {
      if (isUniqueViolation(error, 'topic')) throw conflict(`topic ${topic} is already used by another consumer`);
      throw error;
    }
    // The registry works without Kafka: a topic that cannot be created now is created again at dispatch.
    await this.transport?.ensureTopic(topic).catch((error: unknown) => {
      this.log.warn({ err: error, topic }, 'could not create the consumer topic now; dispatch will try again');
    });
    return consumer;
  }

  async setStatus(id: string, status: string, epoch: number): Promise<Consumer> {
    checkId(this.config.limits, id);
    const settable = checkSettableStatus(status);
    const row = await setConsumerStatus(this.db, id, epoch, settable);
    return this.changedOrRefused(row, id, epoch);
  }

  async heartbeat(id: string, epoch: number): Promise<Consumer> {
    checkId(this.config.limits, id);
    return this.changedOrRefused(await recordHeartbeat(this.db, id, epoch), id, epoch);
  }

  /** Removes a consumer that holds no lease. */
  async deregisterConsumer(id: string, epoch: number): Promise<Consumer> {
    checkId(this.config.limits, id);
    const row = await deregisterConsumer(this.db, id, epoch);
    if (row) return consumerFromRow(row);
    const consumer = await this.currentConsumer(id, epoch);
    throw conflict(`consumer ${id} holds ${consumer.inFlight} lease(s); drain it (DRAINING) and let them end first`);
  }

  async consumer(id: string): Promise<Consumer | undefined> {
    checkId(this.config.limits, id);
    return findConsumer(this.db, id);
  }

  async consumers(filter: ConsumerFilter): Promise<Page<Consumer>> {
    const { limits } = this.config;
    const limit = checkPageSize(limits, filter.first);
    const pool = filter.pool == null ? undefined : checkPool(limits, filter.pool);
    const afterId = filter.after == null ? undefined : decodeCursor(filter.after);
    const items = await listConsumers(this.db, { pool, status: filter.status ?? undefined, afterId, limit });
    const edges = items.slice(0, limit).map((node) => ({ cursor: encodeCursor(node.id), node }));
    return { edges, hasNextPage: items.length > limit, endCursor: edges.at(-1)?.cursor ?? null };
  }

  // ---- claims and leases -----------------------------------------------------------------------

  /** Checks what a subscriber watches: a pool and labels. */
  checkWatch(pool: string, labels?: readonly string[] | null): { pool: string; labels: string[] } {
    const { limits } = this.config;
    return { pool: checkPool(limits, pool), labels: checkLabels(limits, labels) };
  }

  /** The consumer a claim would take now; reserves nothing. */
  async nextFreeConsumer(pool: string, labels?: readonly string[] | null): Promise<Consumer | undefined> {
    const { limits } = this.config;
    return peekFreeConsumer(this.db, checkPool(limits, pool), checkLabels(limits, labels));
  }

  /** Reserves a slot of the longest-idle free consumer, or refuses with NO_FREE_CONSUMER / NOT_FOUND. */
  async claimFreeConsumer(input: ClaimInput): Promise<Lease> {
    const { limits } = this.config;
    const pool = checkPool(limits, input.pool);
    const labels = checkLabels(limits, input.labels);
    const ttlMs = checkTtl(limits, input.ttlMs, this.config.defaultLeaseTtlMs);
    return this.claimNow({ pool, labels, ttlMs });
  }

  /** A checked claim that does not wait: the lease, or NO_FREE_CONSUMER / NOT_FOUND. */
  private async claimNow(request: WaitRequest): Promise<Lease> {
    const { pool, labels } = request;
    const lease = await this.tryClaim(request);
    if (lease) {
      this.observer.claimed(pool, 0);
      return lease;
    }
    if (!(await poolExists(this.db, pool))) throw notFound(`pool ${pool} has no registered consumer`);
    throw noFreeConsumer(`no free consumer in pool ${pool}${labels.length ? ` with labels ${labels.join(', ')}` : ''}`);
  }

  /**
   * Waits in line for a free consumer and resolves with a lease claimed for this caller. Waiting on a
   * pool nobody has registered in yet is allowed: producers may start before consumers.
   */
  async awaitFreeConsumer(input: ClaimInput, signal: AbortSignal): Promise<Lease> {
    const { limits } = this.config;
    const pool = checkPool(limits, input.pool);
    const labels = checkLabels(limits, input.labels);
    const ttlMs = checkTtl(limits, input.ttlMs, this.config.defaultLeaseTtlMs);
    return this.waitInLine({ pool, labels, ttlMs }, signal);
  }

  /** The consumer finished the job: the lease ends and its slot is free again. */
  completeLease(id: string, owner: LeaseOwner = {}): Promise<Lease> {
    return this.endLease('COMPLETED', id, owner);
  }

  /** The producer gives the slot back without sending anything. */
  releaseLease(id: string, owner: LeaseOwner = {}): Promise<Lease> {
    return this.endLease('RELEASED', id, owner);
  }

  /** A long job keeps its lease: the deadline moves to `ms` from now. */
  async extendLease(id: string, ms: number, owner: LeaseOwner = {}): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const duration = checkTtl(this.config.limits, ms, ms);
    const row = await extendLease(this.db, leaseId, duration, checked);
    if (row) return leaseFromRow(row);
    throw await this.leaseRefusal(leaseId, checked);
  }

  /**
   * Claims a free consumer (waiting up to `waitMs` in the same line as awaitFreeConsumer), records
   * the job on the lease, and produces it to the consumer's topic with the lease id and attempt in
   * its headers. If producing fails, the lease is released: no slot leaks.
   */
  async dispatch(input: DispatchInput, signal?: AbortSignal): Promise<Dispatch> {
    const { limits } = this.config;
    const pool = checkPool(limits, input.pool);
    const labels = checkLabels(limits, input.labels);
    const ttlMs = checkTtl(limits, input.ttlMs, this.config.defaultLeaseTtlMs);
    const waitMs = input.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > limits.maxWaitMs) {
      throw badInput(`waitMs must be an integer from 0 to ${limits.maxWaitMs} (got ${waitMs})`);
    }
    const job = this.jobFrom(input.message);
    const transport = this.transport;
    if (!transport) throw kafkaUnavailable('Kafka is not configured on this server (set KAFKA_BROKERS)');

    // The job is recorded on the lease by the claim itself: the lease is DISPATCHED from the start.
    const request = { pool, labels, ttlMs, job };
    const lease = waitMs === 0 ? await this.claimNow(request) : await this.claimWithin(request, waitMs, signal);
    const topic = lease.consumer.topic;
    let produced: Produced;
    try {
      produced = await transport.produce(topic, {
        key: job.key,
        value: job.value,
        headers: { ...job.headers, 'handoff-lease-id': lease.id, 'handoff-attempt': String(lease.attempt) },
      });
    } catch (error) {
      await endLease(this.db, 'RELEASED', lease.id, {});
      throw kafkaUnavailable(`${(error as Error).message}; lease ${lease.id} was released, nothing was sent`);
    }
    return { lease, topic, ...produced };
  }

  /**
   * A producer that sends the job itself (HandoffProducer.send) records it on its claimed lease first:
   * the lease becomes DISPATCHED with the job's processing deadline, and Handoff can send the job
   * again if its consumer fails.
   */
  async attachJob(id: string, message: JobInput): Promise<Lease> {
    return this.recordJob(checkLeaseId(id), this.jobFrom(message));
  }

  /** A checked job with the processing deadline it gets once recorded on a lease. */
  private jobFrom(input: JobInput): DispatchedJob {
    return { ...this.checkMessage(input), processingTtlMs: this.config.processingTtlMs };
  }

  private async recordJob(leaseId: string, job: DispatchedJob): Promise<Lease> {
    const row = await markLeaseDispatched(this.db, leaseId, job);
    if (row) return leaseFromRow(row);
    const lease = await findLease(this.db, leaseId);
    if (!lease) throw notFound(`lease ${leaseId} does not exist`);
    throw conflict(`lease ${leaseId} is ${lease.state}; a job can be recorded only on a CLAIMED lease (or again, the same job)`);
  }

  private checkMessage(message: JobInput): JobMessage {
    const { limits } = this.config;
    const key = message.key ?? null;
    const headers = Object.fromEntries((message.headers ?? []).map((header) => [header.key, header.value]));
    const size = [key ?? '', message.value, ...Object.entries(headers).flat()].reduce((sum, part) => sum + Buffer.byteLength(part), 0);
    if (size > limits.maxMessageBytes) throw badInput(`message is ${size} bytes; the limit is ${limits.maxMessageBytes}`);
    if (Object.keys(headers).some((name) => name.startsWith('handoff-'))) throw badInput('header names starting with handoff- are reserved');
    return { key, value: message.value, headers };
  }

  async lease(id: string): Promise<Lease | undefined> {
    return findLease(this.db, checkLeaseId(id));
  }

  /** The consumer reports that the job failed: it will be sent again (attempt + 1), or dead-lettered. */
  async failLease(id: string, reason: string | null | undefined, owner: LeaseOwner = {}): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const why = (reason ?? 'the consumer reported a failure').slice(0, 1000);
    const [row] = await failLease(this.db, leaseId, checked, why);
    if (row) return leaseFromRow(row);
    throw await this.leaseRefusal(leaseId, checked);
  }

  /**
   * Everything time decides, from the database alone, so a restarted replica picks up where any left
   * off: silent consumers go OFFLINE, claims nobody dispatched expire, dispatched jobs whose consumer
   * is OFFLINE or late expire, and expired or failed jobs are sent again or dead-lettered. Every
   * statement is conditional and takes rows with SKIP LOCKED, so every replica may run it at once.
   */
  async sweep(): Promise<SweepReport> {
    const offline = (await markSilentConsumersOffline(this.db, this.config.heartbeatTtlMs)).length;
    const expiredClaims = (await expireClaims(this.db)).length;
    const expiredJobs = (await expireDispatched(this.db)).length;
    const { redelivered, deadLettered } = this.transport ? await this.redeliverJobs(this.transport) : { redelivered: 0, deadLettered: 0 };
    const report = { offline, expiredClaims, expiredJobs, redelivered, deadLettered };
    this.observer.swept(report);
    return report;
  }

  // ---- stats -----------------------------------------------------------------------------------

  async stats(pool?: string | null): Promise<PoolStats> {
    const name = pool == null ? undefined : checkPool(this.config.limits, pool);
    const rows = await countByPool(this.db, name);
    const total: PoolStats = {
      pool: name ?? null,
      consumers: 0,
      free: 0,
      busy: 0,
      draining: 0,
      offline: 0,
      capacity: 0,
      inFlight: 0,
      claimsLastMinute: 0,
      deadLettered: 0,
      waitingProducers: this.line.count(name),
    };
    for (const row of rows) {
      for (const key of ['consumers', 'free', 'busy', 'draining', 'offline', 'capacity', 'inFlight', 'claimsLastMinute', 'deadLettered'] as const) {
        total[key] += row[key];
      }
    }
    return total;
  }

  async pools(): Promise<PoolStats[]> {
    const rows = await countByPool(this.db, undefined);
    return rows.map((row) => ({ ...row, waitingProducers: this.line.count(row.pool) }));
  }

  /** Serves waiting producers again; the server calls it on a timer as a safety net for missed notifications. */
  serveWaitingProducers(): void {
    this.line.serveAll();
  }

  async close(): Promise<void> {
    this.stopFeed();
    this.stopGap();
    await this.line.close(new CoordinatorError('NO_FREE_CONSUMER', 'the server is shutting down; wait on another replica'));
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * Claims without waiting on rows other statements hold; if that finds nothing, once more waiting
   * for them, since a consumer locked by a claim or a completion in flight may still have a free
   * slot: no claim is refused while a slot is free.
   */
  private async tryClaim(request: WaitRequest): Promise<Lease | undefined> {
    const claim = { ...request, leaseId: randomUUID() };
    const row = (await claimFreeConsumer(this.db, claim, 'skip')) ?? (await claimFreeConsumer(this.db, claim, 'wait'));
    return row ? leaseFromRow(row) : undefined;
  }

  private async waitInLine(request: WaitRequest, signal: AbortSignal): Promise<Lease> {
    const start = performance.now();
    const lease = await this.line.wait(request, signal);
    this.observer.claimed(request.pool, performance.now() - start);
    return lease;
  }

  private async redeliverJobs(transport: JobTransport): Promise<{ redelivered: number; deadLettered: number }> {
    let redelivered = 0;
    let deadLettered = 0;
    for (const pool of await poolsWithJobsToRedeliver(this.db)) {
      for (;;) {
        const dead = await takeDeadLetter(this.db, pool, this.config.maxAttempts);
        if (!dead) break;
        const dlq = `${this.config.topicPrefix}.${pool}.dlq`;
        try {
          await transport.produce(dlq, {
            key: dead.messageKey,
            value: dead.messageValue,
            headers: {
              ...dead.messageHeaders,
              'handoff-lease-id': dead.id,
              'handoff-attempt': String(dead.attempt),
              'handoff-dead-letter-reason': dead.endReason ?? 'unknown',
              'handoff-original-topic': dead.topic,
            },
          });
        } catch (error) {
          await restoreDeadLetter(this.db, dead.id);
          this.log.error({ err: error, lease: dead.id }, 'could not write the dead-letter topic; will retry');
          break;
        }
        this.log.warn({ lease: dead.id, attempts: dead.attempt, reason: dead.endReason, topic: dlq }, 'job dead-lettered');
        deadLettered += 1;
      }
      for (;;) {
        const next = await takeRedelivery(this.db, {
          pool,
          newLeaseId: randomUUID(),
          processingTtlMs: this.config.processingTtlMs,
          maxAttempts: this.config.maxAttempts,
        });
        if (!next) break;
        try {
          await transport.produce(next.topic, {
            key: next.messageKey,
            value: next.messageValue,
            headers: { ...next.messageHeaders, 'handoff-lease-id': next.leaseId, 'handoff-attempt': String(next.attempt) },
          });
        } catch (error) {
          await abandonRedelivery(this.db, next.leaseId, `producing the redelivery failed: ${(error as Error).message}`);
          this.log.error({ err: error, lease: next.leaseId }, 'could not produce a redelivery; will retry');
          break;
        }
        redelivered += 1;
      }
    }
    return { redelivered, deadLettered };
  }

  /** Waits in line for up to `waitMs`; NO_FREE_CONSUMER when the time runs out. */
  private async claimWithin(request: WaitRequest, waitMs: number, signal?: AbortSignal): Promise<Lease> {
    const timeout = AbortSignal.timeout(waitMs);
    try {
      return await this.waitInLine(request, signal ? AbortSignal.any([signal, timeout]) : timeout);
    } catch (error) {
      if (error instanceof AbortedWaitError && timeout.aborted) {
        throw noFreeConsumer(`no free consumer in pool ${request.pool} within ${waitMs} ms`);
      }
      throw error;
    }
  }

  private checkOwner(owner: LeaseOwner): { consumerId?: string; epoch?: number } {
    return {
      ...(owner.consumerId != null && { consumerId: checkId(this.config.limits, owner.consumerId) }),
      ...(owner.epoch != null && { epoch: owner.epoch }),
    };
  }

  private async endLease(state: 'COMPLETED' | 'RELEASED', id: string, owner: LeaseOwner): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const [row] = await endLease(this.db, state, leaseId, checked);
    if (row) return leaseFromRow(row);
    throw await this.leaseRefusal(leaseId, checked);
  }

  /** Why a statement on an active lease changed nothing, said precisely. */
  private async leaseRefusal(leaseId: string, owner: { consumerId?: string; epoch?: number }): Promise<CoordinatorError> {
    const lease = await findLease(this.db, leaseId);
    if (!lease) return notFound(`lease ${leaseId} does not exist`);
    if (owner.consumerId !== undefined && lease.consumer.id !== owner.consumerId) {
      return conflict(`lease ${leaseId} belongs to consumer ${lease.consumer.id}, not ${owner.consumerId}`);
    }
    if (owner.epoch !== undefined && lease.consumer.epoch !== owner.epoch) {
      return staleEpoch(`epoch ${owner.epoch} of consumer ${lease.consumer.id} is not current (${lease.consumer.epoch}): it was re-registered`);
    }
    return conflict(`lease ${leaseId} is already ${lease.state}`);
  }

  /** The consumer exists at this epoch, or the precise reason it does not. */
  private async currentConsumer(id: string, epoch: number): Promise<Consumer> {
    const consumer = await findConsumer(this.db, id);
    if (!consumer) throw notFound(`consumer ${id} is not registered`);
    if (consumer.epoch !== epoch) {
      throw staleEpoch(`epoch ${epoch} of consumer ${id} is not current (${consumer.epoch}): it was re-registered`);
    }
    return consumer;
  }

  private async changedOrRefused(row: ChangedRow | undefined, id: string, epoch: number): Promise<Consumer> {
    if (row) return consumerFromRow(row);
    await this.currentConsumer(id, epoch);
    // It exists at this epoch now: it was re-registered between the statement and the check.
    throw staleEpoch(`consumer ${id} changed epoch while the request ran; retry with the current epoch`);
  }
}

/** `<prefix>.<pool>.<id>`, with ':' (allowed in ids, not in Kafka topic names) written as '_'. */
export function defaultTopic(prefix: string, pool: string, id: string): string {
  return `${prefix}.${pool}.${id}`.replaceAll(':', '_');
}

const encodeCursor = (id: string) => Buffer.from(`consumer:${id}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString();
  if (!decoded.startsWith('consumer:')) throw new CoordinatorError('BAD_USER_INPUT', `after is not a cursor returned by consumers`);
  return decoded.slice('consumer:'.length);
}

/** PostgreSQL's unique_violation, as Prisma's raw query error reports it. */
function isUniqueViolation(error: unknown, column: string): boolean {
  const message = error instanceof Error ? error.message : '';
  return /23505|unique constraint/i.test(message) && message.includes(column);
}
