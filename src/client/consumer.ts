// HandoffConsumer: a worker that registers with Handoff, receives its jobs on its own Kafka topic,
// runs your handler, completes the lease and commits the offset, heartbeats, and drains on stop().
import type { Consumer as KafkaConsumer, IHeaders, KafkaMessage } from 'kafkajs';
import { recordHeaders } from '../protocol/headers.js';
import { HandoffError, GraphQLClient } from './graphqlClient.js';
import { type KafkaConnection, kafkaFrom } from './kafka.js';
import { CompleteLease, ConsumerSession, DeregisterConsumer, ExtendLease, FailLease, GetLease, Heartbeat, RegisterConsumer, SetStatus } from './operations.js';

/** One job, as the handler receives it. */
export interface Job {
  leaseId: string;
  attempt: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  topic: string;
  partition: number;
  offset: string;
  /**
   * Aborted when the job's lease is lost — Handoff judged this consumer OFFLINE, refused to extend
   * the lease or to take a heartbeat, or a newer registration replaced this one; the reason is a
   * LeaseLostError — and when the consumer is aborted (abort()). The job went (or goes) to another
   * consumer then: a handler that honours the signal stops at once. A lost job is never completed.
   */
  signal: AbortSignal;
  /**
   * Asks Handoff now whether this consumer still holds the job's lease, extending it: resolves when
   * it does; rejects with the LeaseLostError (the signal aborted) when the lease is gone, or with the
   * error of the call when Handoff could not be asked. A handler calls it just before it makes its
   * result count outside (a write, a payment): a process paused mid-job (a GC pause, a frozen
   * container) fires its overdue timers before it reads the news in its sockets, so the signal alone
   * may not have aborted yet when the work ends. Past it the lease is held for `leaseExtensionMs`.
   */
  confirmLease(): Promise<void>;
}

/** This consumer no longer holds the lease of a job it was running (given to onError, and as the job's signal's reason). */
export class LeaseLostError extends Error {
  constructor(
    readonly leaseId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LeaseLostError';
  }
}

/** Codes with which Handoff says a lease (or the registration holding it) is gone. */
const leaseGoneCodes: readonly string[] = ['CONFLICT', 'NOT_FOUND', 'STALE_EPOCH'];
const saysLeaseGone = (error: unknown): error is HandoffError => error instanceof HandoffError && leaseGoneCodes.includes(error.code);

/** The job a handler is running, and how it ends: lost (its signal aborted) or settled (being completed or failed). */
interface JobInHand {
  job: Job;
  lost: AbortController;
  settled: boolean;
  /** Until when (performance.now()) an extension Handoff accepted keeps the lease; unknown before the first. */
  confirmedUntil: number | undefined;
}

export interface HandoffConsumerOptions {
  /** Handoff's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql, or the endpoints of several replicas (failover). */
  url: string | string[];
  id: string;
  pool?: string;
  labels?: string[];
  /** Sent with every request (the API key, once Handoff requires one). */
  headers?: Record<string, string>;
  /** How its calls travel: over one graphql-ws connection (the default: cheapest for the server), or HTTP requests. */
  transport?: 'websocket' | 'http';
  kafka: KafkaConnection;
  handler: (job: Job) => Promise<void>;
  /** Default 5 s; keep it well under the server's heartbeat TTL (15 s by default). */
  heartbeatIntervalMs?: number;
  /**
   * While a job runs, its lease is extended to this far ahead, every half of it. Default 60 s. A lost
   * lease is noticed within one such half at the latest (at once when the session says OFFLINE).
   */
  leaseExtensionMs?: number;
  /**
   * Holds a consumerSession over graphql-ws (default true): Handoff keeps the consumer alive while its
   * WebSocket answers pings, so no heartbeat calls are made while the session is open, and tells it
   * at once when it was judged OFFLINE. Heartbeats over `transport` stand in while it is not open.
   */
  session?: boolean;
  /** Errors of the handler or of the background calls; default: printed to stderr. */
  onError?: (error: unknown, job?: Job) => void;
}

/** A set that keeps only its newest `capacity` entries. */
class RecentSet {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(value: string): boolean {
    return this.entries.has(value);
  }

  add(value: string): void {
    this.entries.add(value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.values().next().value as string);
  }
}

const headerText = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

export class HandoffConsumer {
  private readonly client: GraphQLClient;
  private kafkaConsumer: KafkaConsumer | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private epoch = 0;
  private topic = '';
  private stopping: Promise<void> | undefined;
  private readonly crashed = new AbortController();
  private inHand: JobInHand | undefined;
  /** A consumerSession is open: it keeps this consumer alive, so heartbeats wait. */
  private sessionOpen = false;
  /** The last leases this instance completed: a record read again (after a restart of its fetch) is not run twice. */
  private readonly completed = new RecentSet(1_024);

  constructor(private readonly options: HandoffConsumerOptions) {
    this.client = new GraphQLClient({ url: options.url, transport: options.transport ?? 'websocket', ...(options.headers && { headers: options.headers }) });
  }

  /** The epoch of this registration (0 before start). */
  get currentEpoch(): number {
    return this.epoch;
  }

  /**
   * Registers BUSY, joins its topic's consumer group, and turns FREE once its partition is assigned
   * (so no job reaches a topic nobody reads yet); resolves then.
   */
  async start(): Promise<void> {
    const { id, pool, labels } = this.options;
    const { registerConsumer } = await this.client.request(RegisterConsumer, { input: { id, pool, labels, capacity: 1, status: 'BUSY' } });
    this.epoch = registerConsumer.epoch;
    this.topic = registerConsumer.topic;
    if (this.options.session !== false) void this.holdSession();

    const kafka = kafkaFrom(this.options.kafka, `handoff-consumer-${id}`);
    // A fetch the broker holds open returns as soon as a job is produced, so a long wait costs no
    // latency; a short one would wake every idle consumer (and the broker) ten times a second.
    const consumer = kafka.consumer({ groupId: `handoff-consumer.${id}`, maxWaitTimeInMs: 1_000, retry: { retries: 10 } });
    this.kafkaConsumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (this.crashed.signal.aborted) return;
        const processing = this.process(topic, partition, message);
        this.current = processing.then(() => undefined);
        const outcome = await processing;
        this.current = undefined;
        // A lost job's record is not committed: the job is not done here.
        if (outcome !== 'ended') return;
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await joined;
    // Positioned too: a new group starts from the beginning of the topic (fromBeginning), an old one at its committed offset.
    await this.client.request(SetStatus, { id, status: 'FREE', epoch: this.epoch });

    const interval = this.options.heartbeatIntervalMs ?? 5_000;
    this.heartbeatTimer = setInterval(() => {
      if (this.sessionOpen) return;
      this.client.request(Heartbeat, { id, epoch: this.epoch }).catch((error: unknown) => {
        if (saysLeaseGone(error) && error.code !== 'CONFLICT') this.loseJobInHand(`Handoff refused a heartbeat (${error.code})`, error);
        this.report(error);
      });
    }, interval);
    this.heartbeatTimer.unref();
  }

  /**
   * Holds the consumerSession until the consumer stops: OPENED (again after every reconnection: the
   * job in hand's lease is checked then, as it may have been lost meanwhile), OFFLINE (the job in
   * hand is lost). STALE_EPOCH or NOT_FOUND end it: this registration is over.
   */
  private async holdSession(): Promise<void> {
    const socket = this.client.websocket();
    const stopClosed = socket.on('closed', () => (this.sessionOpen = false));
    try {
      for await (const { consumerSession: event } of this.client.subscribe(ConsumerSession, { id: this.options.id, epoch: this.epoch })) {
        if (event.kind === 'OPENED') {
          this.sessionOpen = true;
          if (this.inHand) void this.extend(this.inHand);
        } else {
          this.loseJobInHand('Handoff judged this consumer OFFLINE');
        }
      }
    } catch (error) {
      if (this.stopping || this.crashed.signal.aborted) return;
      if (saysLeaseGone(error)) this.loseJobInHand(`Handoff ended the session (${error.code})`, error);
      this.report(error);
    } finally {
      this.sessionOpen = false;
      stopClosed();
    }
  }

  /** Drains: DRAINING (no new jobs), finishes the job in hand, leaves its consumer group, deregisters. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { id } = this.options;
      clearInterval(this.heartbeatTimer);
      await this.client.request(SetStatus, { id, status: 'DRAINING', epoch: this.epoch });
      await this.current;
      await this.kafkaConsumer?.disconnect();
      await this.client.request(DeregisterConsumer, { id, epoch: this.epoch });
      await this.client.close();
    })();
    return this.stopping;
  }

  /**
   * Stops at once, as a crash would, for fault drills and tests: no drain, no deregistration, no
   * more heartbeats, the job in hand abandoned (its signal aborts) and neither completed nor failed.
   * Handoff notices by the heartbeat TTL and sends the job again.
   */
  async abort(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    this.crashed.abort();
    await this.kafkaConsumer?.disconnect();
    await this.client.close();
  }

  /**
   * Runs one record's job: 'ended' (completed or failed, or nothing to run: the offset may be
   * committed), 'lost' (its lease was taken away: not committed), or 'abandoned' (aborted).
   */
  private async process(topic: string, partition: number, message: KafkaMessage): Promise<'ended' | 'lost' | 'abandoned'> {
    const leaseId = headerText(message.headers, recordHeaders.leaseId);
    if (!leaseId) {
      this.report(new Error(`record ${topic}/${partition}@${message.offset} has no ${recordHeaders.leaseId} header; skipped`));
      return 'ended';
    }
    if (this.completed.has(leaseId)) return 'ended';
    const headers: Record<string, string> = {};
    for (const name of Object.keys(message.headers ?? {})) headers[name] = headerText(message.headers, name) ?? '';
    const lost = new AbortController();
    const confirmLease = () => this.confirm(inHand);
    const job: Job = {
      leaseId,
      attempt: Number(headerText(message.headers, recordHeaders.attempt) ?? 1),
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? '',
      headers,
      topic,
      partition,
      offset: message.offset,
      signal: AbortSignal.any([this.crashed.signal, lost.signal]),
      confirmLease,
    };
    const inHand: JobInHand = { job, lost, settled: false, confirmedUntil: undefined };
    this.inHand = inHand;
    const owner = { consumerId: this.options.id, epoch: this.epoch };
    const extender = setInterval(() => void this.extend(inHand), this.extensionMs / 2);
    try {
      await this.options.handler(job);
    } catch (error) {
      if (this.crashed.signal.aborted) return 'abandoned';
      // A lost job's handler may fail on its aborted signal: nothing to report to Handoff.
      if (lost.signal.aborted) return this.settleLost(leaseId);
      inHand.settled = true;
      this.report(error, job);
      const reason = error instanceof Error ? error.message : String(error);
      await this.endLease(() => this.client.request(FailLease, { id: leaseId, reason, ...owner }), job);
      return 'ended';
    } finally {
      clearInterval(extender);
      this.inHand = undefined;
    }
    if (this.crashed.signal.aborted) return 'abandoned';
    if (lost.signal.aborted) return this.settleLost(leaseId);
    inHand.settled = true;
    if (await this.endLease(() => this.client.request(CompleteLease, { id: leaseId, ...owner }), job)) {
      this.completed.add(leaseId);
      return 'ended';
    }
    return 'lost';
  }

  private get extensionMs(): number {
    return this.options.leaseExtensionMs ?? 60_000;
  }

  /**
   * Extends the job's lease; a refusal means it is lost, and so does a deadline passed with no extension
   * accepted. Resolves with the failed call's error (reported), or undefined when Handoff accepted it.
   */
  private async extend(inHand: JobInHand): Promise<unknown> {
    const sentAt = performance.now();
    try {
      await this.client.request(ExtendLease, { id: inHand.job.leaseId, ms: this.extensionMs, consumerId: this.options.id, epoch: this.epoch });
      inHand.confirmedUntil = sentAt + this.extensionMs;
      return undefined;
    } catch (error) {
      if (saysLeaseGone(error)) {
        this.loseLease(inHand, `Handoff refused to extend the lease (${error.code}: ${error.message})`, error);
        return error;
      }
      this.report(error, inHand.job);
      if (inHand.confirmedUntil !== undefined && performance.now() > inHand.confirmedUntil) {
        this.loseLease(inHand, 'the lease ran out with no extension accepted', error);
      }
      return error;
    }
  }

  /** job.confirmLease(): one extension now; the signal's reason once the lease is lost, the call's error if it failed otherwise. */
  private async confirm(inHand: JobInHand): Promise<void> {
    inHand.job.signal.throwIfAborted();
    const failure = await this.extend(inHand);
    inHand.job.signal.throwIfAborted();
    if (failure !== undefined) throw failure;
  }

  /** The job in hand (if any) lost its lease. */
  private loseJobInHand(reason: string, cause?: unknown): void {
    if (this.inHand) this.loseLease(this.inHand, reason, cause);
  }

  /** Aborts the job's signal, once, and tells onError; the job will be neither completed nor committed. */
  private loseLease(inHand: JobInHand, reason: string, cause?: unknown): void {
    if (inHand.settled || inHand.lost.signal.aborted) return;
    const error = new LeaseLostError(inHand.job.leaseId, `lease ${inHand.job.leaseId} lost: ${reason}; the job is not completed here`, { cause });
    inHand.lost.abort(error);
    this.report(error, inHand.job);
  }

  /** A lost job is done with here: not run again if its record is read again. */
  private settleLost(leaseId: string): 'lost' {
    this.completed.add(leaseId);
    return 'lost';
  }

  /**
   * Ends the lease. A CONFLICT means it already ended: completed by this consumer before a restart
   * (no error), or taken away (expired: reported as lost).
   */
  private async endLease(end: () => Promise<unknown>, job: Job): Promise<boolean> {
    try {
      await end();
      return true;
    } catch (error) {
      if (!(error instanceof HandoffError && error.code === 'CONFLICT')) {
        this.report(error, job);
        return false;
      }
      const state = await this.client.request(GetLease, { id: job.leaseId }).then(
        ({ lease }) => lease?.state ?? 'gone',
        (lookup: unknown) => {
          this.report(lookup, job);
          return 'unknown';
        },
      );
      if (state !== 'COMPLETED') {
        this.report(new LeaseLostError(job.leaseId, `lease ${job.leaseId} lost: it is ${state}, the job went to another consumer`, { cause: error }), job);
      }
      return false;
    }
  }

  private report(error: unknown, job?: Job): void {
    if (this.options.onError) this.options.onError(error, job);
    else console.error(`HandoffConsumer ${this.options.id}:`, error);
  }
}
