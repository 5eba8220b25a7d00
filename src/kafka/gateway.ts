// Handoff's one edge to Kafka (kafkajs): creating consumer topics and producing dispatched jobs.
// It connects lazily and reconnects on the next call, so Handoff serves its registry while Kafka is down.
import { Kafka, type Admin, type Consumer, type ConsumerConfig, type ISocketFactory, type Message, type Producer, type RetryOptions, logLevel as kafkaLogLevel, type logCreator } from 'kafkajs';
import type { KafkaConfig } from '../config.js';
import { type JobMessage, type JobTransport, type Produced, TransportUnavailableError } from '../coordinator/ports.js';
import type { Logger } from '../logger.js';
import { OneAtATime, boundedRetriesWarning, idempotentProducer } from '../protocol/producing.js';

/** kafkajs logs through our logger (its own goes to stdout as plain JSON). */
const toPino = (log: Logger): logCreator => () => ({ level, log: entry }) => {
  const { message, ...rest } = entry;
  if (message === boundedRetriesWarning) log.debug(rest, message);
  else if (level === kafkaLogLevel.ERROR) log.error(rest, message);
  else if (level === kafkaLogLevel.WARN) log.warn(rest, message);
  else if (level === kafkaLogLevel.INFO) log.info(rest, message);
  else log.debug(rest, message);
};

/** A few quick retries: a produce either lands within produceTimeoutMs or fails over to the caller. */
const retry: RetryOptions = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };

export class KafkaGateway implements JobTransport {
  private readonly kafka: Kafka;
  private admin: Promise<Admin> | undefined;
  private producer: Promise<Producer> | undefined;
  private readonly knownTopics = new Set<string>();
  private readonly sends = new OneAtATime();

  constructor(
    private readonly config: KafkaConfig,
    log: Logger,
    /** How kafkajs opens its connections (tests drop answers through it to provoke retries). */
    options: { socketFactory?: ISocketFactory } = {},
  ) {
    const kafkaLog = log.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      ...(options.socketFactory && { socketFactory: options.socketFactory }),
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: kafkaLogLevel.WARN,
      logCreator: toPino(kafkaLog),
      connectionTimeout: 1_000,
      requestTimeout: config.produceTimeoutMs,
      retry,
    });
  }

  /** Creates the topic (one partition unless told) unless it exists; remembers topics it has seen. */
  async ensureTopic(topic: string, partitions = 1): Promise<void> {
    if (this.knownTopics.has(topic)) return;
    const admin = await this.connected('admin');
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
      }
    } catch (error) {
      this.admin = undefined;
      throw new TransportUnavailableError(`could not create Kafka topic ${topic}: ${(error as Error).message}`, { cause: error });
    }
    this.knownTopics.add(topic);
  }

  async produce(topic: string, message: JobMessage): Promise<Produced> {
    const [result] = await this.send([topic], (producer) =>
      producer.send({ topic, messages: [{ key: message.key, value: message.value, headers: message.headers }] }),
    );
    if (!result) throw new TransportUnavailableError(`producing to Kafka topic ${topic} failed: the broker returned no record metadata`);
    return { partition: result.partition, offset: result.baseOffset ?? result.offset ?? '-1' };
  }

  /** Many records, to any topics, in one request (jobs assigned together); all or nothing. */
  async produceMany(records: readonly { topic: string; message: JobMessage }[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of records) {
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: message.key, value: message.value, headers: message.headers });
      byTopic.set(topic, messages);
    }
    await this.send([...byTopic.keys()], (producer) =>
      producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }),
    );
  }

  /** One send (of one record or of a batch), its topics created first, one send at a time. */
  private async send<T>(topics: readonly string[], work: (producer: Producer) => Promise<T>): Promise<T> {
    for (const topic of topics) await this.ensureTopic(topic);
    // Which producer this send used, once its turn came: the one to replace if it fails.
    let used: Promise<Producer> | undefined;
    const gaveUp = new AbortController();
    try {
      return await withTimeout(
        this.sends.run(async () => {
          used = this.connected('producer');
          return work(await used);
        }, gaveUp.signal),
        this.config.produceTimeoutMs,
        () => gaveUp.abort(),
      );
    } catch (error) {
      // A new producer (a new producer id) for the next send: this one's sequence numbers may be
      // taken by a batch the broker appended without our hearing of it (see idempotentProducer).
      if (used && this.producer === used) this.producer = undefined;
      await used?.then((producer) => producer.disconnect()).catch(() => undefined); // being replaced; its close error adds nothing
      if (error instanceof TransportUnavailableError) throw error; // could not connect: already says so
      throw new TransportUnavailableError(`producing to Kafka topic${topics.length > 1 ? 's' : ''} ${topics.join(', ')} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** A kafkajs consumer with the same brokers and client settings (the intake's). */
  consumer(config: ConsumerConfig): Consumer {
    return this.kafka.consumer(config);
  }

  async isReachable(): Promise<boolean> {
    try {
      const admin = await this.connected('admin');
      await withTimeout(admin.describeCluster(), 2_000);
      return true;
    } catch {
      this.admin = undefined;
      return false; // the answer to the question asked: it is not reachable
    }
  }

  async close(): Promise<void> {
    const [admin, producer] = [this.admin, this.producer];
    this.admin = undefined;
    this.producer = undefined;
    await Promise.allSettled([admin?.then((a) => a.disconnect()), producer?.then((p) => p.disconnect())]);
  }

  private connected(kind: 'admin'): Promise<Admin>;
  private connected(kind: 'producer'): Promise<Producer>;
  private connected(kind: 'admin' | 'producer'): Promise<Admin | Producer> {
    const existing = kind === 'admin' ? this.admin : this.producer;
    if (existing) return existing;
    const client = kind === 'admin' ? this.kafka.admin() : this.kafka.producer(idempotentProducer(retry));
    const connecting = withTimeout(client.connect(), this.config.produceTimeoutMs).then(
      () => client,
      (error: unknown) => {
        if (kind === 'admin') this.admin = undefined;
        else this.producer = undefined;
        throw new TransportUnavailableError(`Kafka at ${this.config.brokers.join(',')} is unreachable: ${(error as Error).message}`, { cause: error });
      },
    );
    if (kind === 'admin') this.admin = connecting as Promise<Admin>;
    else this.producer = connecting as Promise<Producer>;
    return connecting;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
