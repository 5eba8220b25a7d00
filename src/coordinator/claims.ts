// Claims: a producer takes a slot of the next free consumer — now, or waiting in line — and either
// sends the job itself (recording it first) or has Handoff produce it (dispatch).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { jobRecordHeaders } from '../protocol/headers.js';
import { conflict, kafkaUnavailable, noFreeConsumer, notFound, shuttingDown, badInput } from './errors.js';
import { type Clock, type Database, type JobTransport, type Observer, type Produced, TransportUnavailableError } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { type ClaimedJob, claimFreeConsumer } from './sql/claimFreeConsumer.js';
import { endLease } from './sql/endLease.js';
import { findLease } from './sql/findLease.js';
import { type MatchingCounts, countMatching } from './sql/countMatching.js';
import { poolExists } from './sql/poolExists.js';
import { recordJob } from './sql/recordJob.js';
import { leaseFromRow } from './sql/rows.js';
import type { Lease } from './types.js';
import { type MessageInput, checkClaim, checkLabels, checkLeaseId, checkMessage, checkPool } from './validate.js';
import { AbortedWaitError, type WaitRequest, WaitingLine } from './waitingLine.js';

export interface ClaimInput {
  pool: string;
  labels?: readonly string[] | null;
  ttlMs?: number | null;
}

export interface DispatchInput extends ClaimInput {
  message: MessageInput;
  /** How long to wait for a free consumer; 0 (the default) does not wait. */
  waitMs?: number | null;
}

export interface Dispatch extends Produced {
  lease: Lease;
  topic: string;
}

/** Why nothing was claimable, in numbers: what a caller needs to tell a busy pool from a dead one. */
function noFreeConsumerMessage(pool: string, labels: readonly string[], counts: MatchingCounts): string {
  const where = `pool ${pool}${labels.length ? ` with labels ${labels.join(', ')}` : ''}`;
  if (counts.matching === 0) return `no consumer in ${where} (none carries those labels)`;
  return (
    `no free consumer in ${where}: of ${counts.matching} matching, ${counts.offline} OFFLINE (no sign of life within the heartbeat TTL), ` +
    `${counts.busy} BUSY, ${counts.draining} DRAINING, ${counts.full} full (every slot leased)`
  );
}

export class Claims {
  private readonly line: WaitingLine;

  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    log: Logger,
    /** Kafka, when configured: dispatch produces through it. */
    private readonly transport: JobTransport | undefined,
    private readonly observer: Observer,
    private readonly clock: Clock,
  ) {
    this.line = new WaitingLine({
      claim: (request) => this.tryClaim(request),
      release: async (leaseId) => {
        await endLease(this.db, 'RELEASED', leaseId, {});
      },
      log,
    });
  }

  /** Checks what a subscriber watches: a pool and labels. */
  checkWatch(pool: string, labels?: readonly string[] | null): { pool: string; labels: string[] } {
    const { limits } = this.settings;
    return { pool: checkPool(limits, pool), labels: checkLabels(limits, labels) };
  }

  /** Reserves a slot of the longest-idle free consumer, or refuses with NO_FREE_CONSUMER / NOT_FOUND. */
  claimFreeConsumer(input: ClaimInput): Promise<Lease> {
    return this.claimNow(this.checkClaim(input));
  }

  /**
   * Waits in line for a free consumer and resolves with a lease claimed for this caller. Waiting on a
   * pool nobody has registered in yet is allowed: producers may start before consumers.
   */
  awaitFreeConsumer(input: ClaimInput, signal: AbortSignal): Promise<Lease> {
    return this.waitInLine(this.checkClaim(input), signal);
  }

  /**
   * Claims a free consumer (waiting up to `waitMs` in the same line as awaitFreeConsumer), records
   * the job on the lease, and produces it to the consumer's topic with the lease id and attempt in
   * its headers. If producing fails, the lease is released: no slot leaks.
   */
  async dispatch(input: DispatchInput, signal?: AbortSignal): Promise<Dispatch> {
    const { limits } = this.settings;
    const claim = this.checkClaim(input);
    const waitMs = input.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > limits.maxWaitMs) {
      throw badInput(`waitMs must be an integer from 0 to ${limits.maxWaitMs} (got ${waitMs})`);
    }
    const job = this.jobFrom(input.message);
    const transport = this.transport;
    if (!transport) throw kafkaUnavailable('Kafka is not configured on this server (set KAFKA_BROKERS)');

    // The job is recorded on the lease by the claim itself: the lease is DISPATCHED from the start.
    const request = { ...claim, job };
    const lease = waitMs === 0 ? await this.claimNow(request) : await this.claimWithin(request, waitMs, signal);
    const topic = lease.consumer.topic;
    let produced: Produced;
    try {
      produced = await transport.produce(topic, { key: job.key, value: job.value, headers: jobRecordHeaders(job.headers, lease) });
    } catch (error) {
      await endLease(this.db, 'RELEASED', lease.id, {});
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
    const row = await recordJob(this.db, leaseId, this.jobFrom(message));
    if (row) return leaseFromRow(row);
    const found = await findLease(this.db, leaseId);
    if (!found) throw notFound(`lease ${leaseId} does not exist`);
    throw conflict(`lease ${leaseId} is ${found.leaseState}; a job can be recorded only on a CLAIMED lease (or again, the same job)`);
  }

  /** Producers waiting on this replica, in one pool or in all. */
  waiting(pool?: string): number {
    return this.line.count(pool);
  }

  /** Serves a pool's waiting producers: a slot opened there. */
  serve(pool: string): void {
    this.line.serve(pool);
  }

  /** Serves every pool's waiting producers: after a gap in notifications, and on a timer as a safety net. */
  serveAll(): void {
    this.line.serveAll();
  }

  /** Ends every wait: this replica is going away. */
  close(): Promise<void> {
    return this.line.close(shuttingDown('the server is shutting down; wait on another replica'));
  }

  private checkClaim(input: ClaimInput) {
    return checkClaim(this.settings.limits, input, this.settings.defaultLeaseTtlMs);
  }

  /** A checked job with the processing deadline it gets once recorded on a lease. */
  private jobFrom(message: MessageInput): ClaimedJob {
    return { ...checkMessage(this.settings.limits, message), processingTtlMs: this.settings.processingTtlMs };
  }

  /** A checked claim that does not wait: the lease, or NO_FREE_CONSUMER / NOT_FOUND. */
  private async claimNow(request: WaitRequest): Promise<Lease> {
    const { pool, labels } = request;
    const lease = await this.tryClaim(request);
    if (lease) {
      this.observer.claimed(pool, 0);
      return lease;
    }
    const counts = await countMatching(this.db, pool, labels);
    if (counts.matching === 0 && !(await poolExists(this.db, pool))) throw notFound(`pool ${pool} has no registered consumer`);
    throw noFreeConsumer(noFreeConsumerMessage(pool, labels, counts), { consumers: counts });
  }

  /**
   * Claims without waiting on rows other statements hold; if that finds nothing, once more waiting
   * for them, since a consumer locked by a claim or a completion in flight may still have a free
   * slot: no claim is refused while a slot is free.
   */
  private async tryClaim(request: WaitRequest): Promise<Lease | undefined> {
    const claim = { ...request, leaseId: randomUUID() };
    const row = (await claimFreeConsumer(this.db, claim, 'skip')) ?? (await claimFreeConsumer(this.db, claim, 'wait'));
    return row && leaseFromRow(row);
  }

  private async waitInLine(request: WaitRequest, signal: AbortSignal): Promise<Lease> {
    const start = this.clock.now();
    const lease = await this.line.wait(request, signal);
    this.observer.claimed(request.pool, this.clock.now() - start);
    return lease;
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
}
