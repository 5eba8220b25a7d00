import net from 'node:net';
import { type ISocketFactory, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** The broker the global setup started (or KAFKA_BROKERS); '' when Kafka tests are skipped. */
export const kafkaBrokers = inject('kafkaBrokers');

export const testKafka = (brokers = kafkaBrokers) => new Kafka({ clientId: 'handoff-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING });

/** How many records a topic holds (its end offset), or 0 when the topic does not exist. */
export async function recordCount(topic: string, brokers = kafkaBrokers): Promise<number> {
  const admin = testKafka(brokers).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads `count` records of a topic from the beginning, waiting for the topic to exist first. */
export async function readRecords(topic: string, count: number, timeoutMs = 15_000): Promise<KafkaMessage[]> {
  const deadline = Date.now() + timeoutMs;
  const admin = testKafka().admin();
  await admin.connect();
  try {
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = testKafka().consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: KafkaMessage[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${count} records of ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          records.push(message);
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** What a lossy socket factory did: produce requests written, and answers it dropped. */
export interface AnswerDrops {
  produceRequests: number;
  dropped: number;
}

const produceApiKey = 0;

/**
 * A kafkajs socketFactory that loses the broker's answer to every `every`-th Produce request: the
 * request reaches the broker, which appends the records, and the connection then fails before the
 * client reads the answer — the lost-acknowledgement case a retry must not turn into a duplicate.
 * kafkajs sees a connection error and sends the same request again on a new connection.
 */
export function answerDroppingSockets(every: number): { socketFactory: ISocketFactory; drops: AnswerDrops } {
  const drops: AnswerDrops = { produceRequests: 0, dropped: 0 };
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    // The correlation id of the Produce request whose answer this connection is to lose.
    let doomed: number | undefined;
    const write = socket.write.bind(socket) as (chunk: Uint8Array | string, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: Uint8Array | string, ...rest: unknown[]) => {
      // kafkajs writes each request whole: size (int32), api key (int16), api version (int16), correlation id (int32), …
      const frame = typeof chunk === 'string' ? Buffer.from(chunk, 'binary') : Buffer.from(chunk);
      if (frame.length >= 12 && frame.readInt16BE(4) === produceApiKey) {
        drops.produceRequests += 1;
        if (drops.produceRequests % every === 0) doomed = frame.readInt32BE(8);
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      const data = args[0];
      // An answer starts with its size (int32) and the request's correlation id (int32).
      if (event === 'data' && doomed !== undefined && Buffer.isBuffer(data) && data.length >= 8 && data.readInt32BE(4) === doomed) {
        doomed = undefined;
        drops.dropped += 1;
        socket.destroy(new Error('test: the answer to this Produce request was dropped'));
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return { socketFactory, drops };
}
