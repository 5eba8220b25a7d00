// No duplicate records from retries: Handoff's server producer (KafkaGateway) and the SDK's
// (HandoffProducer.send) write each message exactly once even when kafkajs retries a produce.
//
// The retry is provoked deterministically: a socket factory (answerDroppingSockets) lets every third
// Produce request reach the broker, which appends its record, and then breaks the connection before
// kafkajs reads the answer. kafkajs retries on a new connection. A plain producer writes that record
// a second time (checked: 36 records for 24 messages); an idempotent one sends the retry with the
// same producer id and sequence number, and the broker answers with the first offset instead.
// Four callers send at once, because kafkajs's idempotent producer loses and doubles records when
// concurrent sends meet a retry (src/protocol/producing.ts, OneAtATime); the record values are checked,
// not only their number.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffProducer } from '../src/client/index.js';
import { CompleteLease, RegisterConsumer } from '../src/client/operations.js';
import { KafkaGateway } from '../src/kafka/gateway.js';
import { createLogger } from '../src/logger.js';
import { type Harness, adminHeaders, startHarness, unique } from './support/harness.js';
import { answerDroppingSockets, kafkaBrokers, readRecords, recordCount } from './support/kafka.js';

const callers = 4;
const perCaller = 6;
const messages = callers * perCaller;
const dropEvery = 3;

/** Runs `send(i)` for i = 0 … messages - 1 from `callers` concurrent loops. */
async function sendAll(send: (i: number) => Promise<unknown>): Promise<void> {
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let k = 0; k < perCaller; k++) await send(caller * perCaller + k);
    }),
  );
}

/** The values of every record in `topic` (all of them: the end offset says how many there are). */
async function allValues(topic: string): Promise<string[]> {
  const count = await recordCount(topic);
  const records = await readRecords(topic, count);
  return records.map((record) => record.value?.toString() ?? '').sort();
}

const expectedValues = (prefix: string) => Array.from({ length: messages }, (_, i) => `${prefix}-${i}`).sort();

describe.skipIf(!kafkaBrokers)('producing with retries: every message lands exactly once', () => {
  it(`KafkaGateway.produce: ${messages} messages from ${callers} callers, every ${dropEvery}rd answer lost, ${messages} records`, async () => {
    const { socketFactory, drops } = answerDroppingSockets(dropEvery);
    const log = createLogger({ logLevel: 'silent', logFormat: 'json' });
    const gateway = new KafkaGateway({ brokers: kafkaBrokers.split(','), clientId: 'handoff-test-retries', produceTimeoutMs: 20_000 }, log, { socketFactory });
    const topic = unique('retried-dispatch');
    try {
      // The first produce creates the topic (ensureTopic) and sends right after: the fresh-topic case too.
      await sendAll((i) => gateway.produce(topic, { key: null, value: `job-${i}`, headers: {} }));
    } finally {
      await gateway.close();
    }
    // Retries happened: each lost answer was followed by exactly one more Produce request.
    expect(drops.dropped).toBeGreaterThan(0);
    expect(drops.produceRequests).toBe(messages + drops.dropped);
    expect(await recordCount(topic)).toBe(messages);
    expect(await allValues(topic)).toEqual(expectedValues('job'));
  }, 60_000);

  describe('HandoffProducer.send', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness('pglite', { kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
    });
    afterAll(() => h?.close());

    it(`${messages} jobs from ${callers} concurrent senders to one consumer, every ${dropEvery}rd answer lost, ${messages} records`, async () => {
      const pool = unique('retried-send');
      // One consumer with a slot per sender, so the senders' records meet on one topic partition.
      const { registerConsumer: consumer } = await h.client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool, capacity: callers } });
      const { socketFactory, drops } = answerDroppingSockets(dropEvery);
      const kafka = new Kafka({ clientId: 'handoff-test-sdk-retries', brokers: kafkaBrokers.split(','), logLevel: logLevel.NOTHING, socketFactory });
      const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });
      try {
        await sendAll(async (i) => {
          const sent = await producer.send(pool, { value: `sdk-job-${i}` });
          expect(sent.topic).toBe(consumer.topic);
          // Done at once, so the slot is free for the next job.
          await h.client.request(CompleteLease, { id: sent.lease.id, consumerId: consumer.id, epoch: consumer.epoch });
        });
      } finally {
        await producer.close();
      }
      expect(drops.dropped).toBeGreaterThan(0);
      expect(drops.produceRequests).toBe(messages + drops.dropped);
      expect(await recordCount(consumer.topic)).toBe(messages);
      expect(await allValues(consumer.topic)).toEqual(expectedValues('sdk-job'));
    }, 60_000);
  });
});
