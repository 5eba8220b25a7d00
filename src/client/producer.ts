// HandoffProducer: sends each job to the next free consumer — waiting for one over graphql-ws and
// producing with kafkajs itself (send), or asking Handoff to do both (dispatch).
import type { Producer } from 'kafkajs';
import { OneAtATime, idempotentProducer } from '../protocol/producing.js';
import { jobRecordHeaders } from '../protocol/headers.js';
import { GraphQLClient, HandoffError } from './graphqlClient.js';
import { type KafkaConnection, kafkaFrom } from './kafka.js';
import { AttachJob, AwaitFreeConsumer, DispatchJob, ReleaseLease, SubmitJobs } from './operations.js';
import type { JobFieldsFragment, LeaseFieldsFragment } from './generated/graphql.js';

export interface JobInput {
  key?: string | null;
  value: string;
  headers?: Record<string, string>;
}

/** Where a job or a waiting producer stands in its pool's line. */
export interface Order {
  labels?: string[];
  /** Higher goes first, -10 … 10; default 0. */
  priority?: number;
  /** A tenant or customer: slots go round-robin (weighted) across the keys with work. */
  fairnessKey?: string;
}

/** A job for the backlog: submitted, and sent by Handoff when a slot takes it. */
export interface BacklogJob extends JobInput, Order {
  /** Submitted again with the same key (in the pool): not added twice. */
  idempotencyKey?: string;
}

export interface Sent {
  lease: LeaseFieldsFragment;
  topic: string;
  partition: number;
  offset: string;
}

export interface HandoffProducerOptions {
  /** Handoff's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql, or the endpoints of several replicas (failover). */
  url: string | string[];
  headers?: Record<string, string>;
  /** How its calls travel: over one graphql-ws connection (the default: cheapest for the server), or HTTP requests. */
  transport?: 'websocket' | 'http';
  /** Needed by send(), which produces itself; dispatch() needs none. */
  kafka?: KafkaConnection;
}

export class HandoffProducer {
  private readonly client: GraphQLClient;
  private producer: Promise<Producer> | undefined;
  /** Sends of concurrent send() calls go out one at a time (see OneAtATime); the waits for consumers do not. */
  private readonly sends = new OneAtATime();

  constructor(private readonly options: HandoffProducerOptions) {
    this.client = new GraphQLClient({ url: options.url, transport: options.transport ?? 'websocket', ...(options.headers && { headers: options.headers }) });
  }

  /** Waits for the next free consumer in `pool`, records the job with Handoff, and produces it to the consumer's topic. */
  async send(pool: string, job: JobInput, options: Order & { ttlMs?: number; requestKey?: string } = {}): Promise<Sent> {
    await this.kafkaProducer(); // connected before a consumer is claimed: an unreachable Kafka claims nothing
    const stream = this.client.subscribe(AwaitFreeConsumer, { pool, ...options });
    let lease: LeaseFieldsFragment;
    try {
      const first = await stream.next();
      if (first.done) throw new HandoffError('NO_FREE_CONSUMER', `the wait for a free consumer in ${pool} ended without a lease`);
      lease = first.value.awaitFreeConsumer;
    } finally {
      await stream.return?.();
    }
    const topic = lease.consumer.topic;
    const headers = Object.entries(job.headers ?? {}).map(([key, value]) => ({ key, value }));
    // Recorded before it is sent: if the consumer dies with it, Handoff sends it again.
    await this.client.request(AttachJob, { id: lease.id, message: { key: job.key ?? null, value: job.value, headers } });
    let used: Promise<Producer> | undefined;
    try {
      const [result] = await this.sends.run(async () => {
        used = this.kafkaProducer();
        const producer = await used;
        return producer.send({
          topic,
          messages: [{ key: job.key ?? null, value: job.value, headers: jobRecordHeaders(job.headers ?? {}, lease) }],
        });
      });
      return { lease, topic, partition: result?.partition ?? 0, offset: result?.baseOffset ?? '-1' };
    } catch (error) {
      // A new producer (a new producer id) for the next send: this one's sequence numbers may be
      // taken by a batch the broker appended without our hearing of it (see idempotentProducer).
      if (used && this.producer === used) this.producer = undefined;
      await used?.then((producer) => producer.disconnect()).catch(() => undefined); // being replaced; its close error adds nothing
      // Nothing was acknowledged: give the slot back before reporting.
      await this.client.request(ReleaseLease, { id: lease.id });
      throw error;
    }
  }

  /** Asks Handoff to claim (waiting up to waitMs) and produce the job in one call. */
  async dispatch(pool: string, job: JobInput, options: Order & { waitMs?: number; ttlMs?: number; requestKey?: string } = {}): Promise<Sent> {
    const headers = Object.entries(job.headers ?? {}).map(([key, value]) => ({ key, value }));
    const { dispatch } = await this.client.request(DispatchJob, { pool, ...options, message: { key: job.key ?? null, value: job.value, headers } });
    return dispatch;
  }

  /** Adds jobs to the pool's backlog and returns them at once: Handoff sends each when a slot takes it. Up to 1000 per call. */
  async submit(pool: string, jobs: readonly BacklogJob[]): Promise<JobFieldsFragment[]> {
    const { submitJobs } = await this.client.request(SubmitJobs, {
      pool,
      jobs: jobs.map(({ headers, key, ...job }) => ({
        ...job,
        key: key ?? null,
        headers: Object.entries(headers ?? {}).map(([name, value]) => ({ key: name, value })),
      })),
    });
    return submitJobs;
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await (await producer)?.disconnect();
    await this.client.close();
  }

  private kafkaProducer(): Promise<Producer> {
    const connection = this.options.kafka;
    if (!connection) throw new Error('HandoffProducer.send needs the kafka option; dispatch() does not');
    this.producer ??= (async () => {
      // kafkajs's default number of retries (5), now bounded explicitly: an idempotent producer retries for ever otherwise.
      const producer = kafkaFrom(connection, 'handoff-producer').producer(idempotentProducer({ retries: 5 }));
      try {
        await producer.connect();
      } catch (error) {
        this.producer = undefined; // the next send tries to connect again
        throw error;
      }
      return producer;
    })();
    return this.producer;
  }
}
