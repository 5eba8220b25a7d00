import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
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
