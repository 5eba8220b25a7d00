// HandoffConsumer: a worker that registers with Handoff, receives its jobs on its own Kafka topic,
// runs your handler, completes the lease and commits the offset, heartbeats, and drains on stop().
import type { Consumer as KafkaConsumer, IHeaders, KafkaMessage } from 'kafkajs';
import { recordHeaders } from '../protocol/headers.js';
import { HandoffError, GraphQLClient } from './graphqlClient.js';
import { type KafkaConnection, kafkaFrom } from './kafka.js';
import { CompleteLease, DeregisterConsumer, ExtendLease, FailLease, Heartbeat, RegisterConsumer, SetStatus } from './operations.js';

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
  /** Aborted when the consumer is aborted (abort()): a handler that honours it stops at once. */
  signal: AbortSignal;
}

export interface HandoffConsumerOptions {
  /** Handoff's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql, or the endpoints of several replicas (failover). */
  url: string | string[];
  id: string;
  pool?: string;
  labels?: string[];
  /** Sent with every request (the API key, once Handoff requires one). */
  headers?: Record<string, string>;
  kafka: KafkaConnection;
  handler: (job: Job) => Promise<void>;
  /** Default 5 s; keep it well under the server's heartbeat TTL (15 s by default). */
  heartbeatIntervalMs?: number;
  /** While a job runs, its lease is extended to this far ahead, every half of it. Default 60 s. */
  leaseExtensionMs?: number;
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
  /** The last leases this instance completed: a record read again (after a restart of its fetch) is not run twice. */
  private readonly completed = new RecentSet(1_024);

  constructor(private readonly options: HandoffConsumerOptions) {
    this.client = new GraphQLClient({ url: options.url, ...(options.headers && { headers: options.headers }) });
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
        this.current = this.process(topic, partition, message);
        await this.current;
        this.current = undefined;
        if (this.crashed.signal.aborted) return;
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      },
    });
    await joined;
    // Positioned too: a new group starts from the beginning of the topic (fromBeginning), an old one at its committed offset.
    await this.client.request(SetStatus, { id, status: 'FREE', epoch: this.epoch });

    const interval = this.options.heartbeatIntervalMs ?? 5_000;
    this.heartbeatTimer = setInterval(() => {
      this.client.request(Heartbeat, { id, epoch: this.epoch }).catch((error: unknown) => this.report(error));
    }, interval);
    this.heartbeatTimer.unref();
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

  private async process(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    const leaseId = headerText(message.headers, recordHeaders.leaseId);
    if (!leaseId) {
      this.report(new Error(`record ${topic}/${partition}@${message.offset} has no ${recordHeaders.leaseId} header; skipped`));
      return;
    }
    if (this.completed.has(leaseId)) return;
    const headers: Record<string, string> = {};
    for (const name of Object.keys(message.headers ?? {})) headers[name] = headerText(message.headers, name) ?? '';
    const job: Job = {
      leaseId,
      attempt: Number(headerText(message.headers, recordHeaders.attempt) ?? 1),
      key: message.key?.toString() ?? null,
      value: message.value?.toString() ?? '',
      headers,
      topic,
      partition,
      offset: message.offset,
      signal: this.crashed.signal,
    };
    const owner = { consumerId: this.options.id, epoch: this.epoch };
    const extensionMs = this.options.leaseExtensionMs ?? 60_000;
    const extender = setInterval(() => {
      this.client.request(ExtendLease, { id: leaseId, ms: extensionMs, ...owner }).catch((error: unknown) => this.report(error, job));
    }, extensionMs / 2);
    try {
      await this.options.handler(job);
    } catch (error) {
      if (this.crashed.signal.aborted) return;
      this.report(error, job);
      const reason = error instanceof Error ? error.message : String(error);
      await this.endLease(() => this.client.request(FailLease, { id: leaseId, reason, ...owner }), job);
      return;
    } finally {
      clearInterval(extender);
    }
    if (this.crashed.signal.aborted) return;
    if (await this.endLease(() => this.client.request(CompleteLease, { id: leaseId, ...owner }), job)) this.completed.add(leaseId);
  }

  /** Ends the lease; a lease that already ended (expired, or completed before a restart) is no error. */
  private async endLease(end: () => Promise<unknown>, job: Job): Promise<boolean> {
    try {
      await end();
      return true;
    } catch (error) {
      if (error instanceof HandoffError && error.code === 'CONFLICT') return false;
      this.report(error, job);
      return false;
    }
  }

  private report(error: unknown, job?: Job): void {
    if (this.options.onError) this.options.onError(error, job);
    else console.error(`HandoffConsumer ${this.options.id}:`, error);
  }
}
