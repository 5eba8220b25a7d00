// Sends jobs to the next free worker: waits over graphql-ws for one, then produces with kafkajs.
//   HANDOFF_TOKEN=<key> HANDOFF_URL=http://127.0.0.1:4000/graphql KAFKA_BROKERS=127.0.0.1:9092 npx tsx examples/producer.ts 10
// The key: the ADMIN token from .handoff/admin-token, or a PRODUCER key of the pool.
import { Kafka, Partitioners } from 'kafkajs';
import { GraphQLClient, HandoffProducer, operations, recordHeaders } from '../src/client/index.js';

const count = Number(process.argv[2] ?? 10);
const url = process.env.HANDOFF_URL ?? 'http://127.0.0.1:4000/graphql';
const headers = { authorization: `Bearer ${process.env.HANDOFF_TOKEN ?? ''}` };
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const producer = new HandoffProducer({ url, headers, kafka: { brokers } });

for (let i = 0; i < count; i++) {
  const sent = await producer.send('images', { key: `image-${i}`, value: JSON.stringify({ resize: '640x480' }) });
  console.log(`image-${i} → ${sent.lease.consumer.id} (${sent.topic}@${sent.offset})`);
}
// Or let Handoff produce it, waiting up to 5 s for a free worker:
const dispatched = await producer.dispatch('images', { key: 'image-last', value: '{}' }, { waitMs: 5_000 });
console.log(`image-last → ${dispatched.lease.consumer.id} via dispatch`);
await producer.close();

// Or produce it yourself, with any Kafka client — what send() does: wait for a lease, record the job
// on it before sending (so Handoff can send it again if the consumer fails), then produce it to the
// consumer's topic with the two headers every job record must carry.
const client = new GraphQLClient({ url, headers });
const waiting = client.subscribe(operations.AwaitFreeConsumer, { pool: 'images', requestKey: `image-by-hand-${Date.now()}` });
const first = await waiting.next();
await waiting.return?.();
if (first.done) throw new Error('the wait for a free consumer ended without a lease');
const lease = first.value.awaitFreeConsumer;
await client.request(operations.AttachJob, { id: lease.id, message: { key: 'image-by-hand', value: '{}', headers: [] } });
const kafkaProducer = new Kafka({ clientId: 'example-producer', brokers }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
await kafkaProducer.connect();
try {
  await kafkaProducer.send({
    topic: lease.consumer.topic,
    messages: [
      {
        key: 'image-by-hand',
        value: '{}',
        // handoff-lease-id: the consumer completes this lease; handoff-attempt: 1, or more for a redelivery.
        headers: { [recordHeaders.leaseId]: lease.id, [recordHeaders.attempt]: String(lease.attempt) },
      },
    ],
  });
} catch (error) {
  await client.request(operations.ReleaseLease, { id: lease.id }); // nothing was sent: give the slot back
  throw error;
} finally {
  await kafkaProducer.disconnect();
  await client.close();
}
console.log(`image-by-hand → ${lease.consumer.id} (produced here, lease ${lease.id})`);
