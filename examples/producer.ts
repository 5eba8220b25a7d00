// Sends jobs to the next free worker: waits over graphql-ws for one, then produces with kafkajs.
//   HANDOFF_TOKEN=<key> HANDOFF_URL=http://127.0.0.1:4000/graphql KAFKA_BROKERS=127.0.0.1:9092 npx tsx examples/producer.ts 10
// The key: the ADMIN token from .handoff/admin-token, or a PRODUCER key of the pool.
import { HandoffProducer } from '../src/client/index.js';

const count = Number(process.argv[2] ?? 10);
const producer = new HandoffProducer({
  url: process.env.HANDOFF_URL ?? 'http://127.0.0.1:4000/graphql',
  headers: { authorization: `Bearer ${process.env.HANDOFF_TOKEN ?? ''}` },
  kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') },
});

for (let i = 0; i < count; i++) {
  const sent = await producer.send('images', { key: `image-${i}`, value: JSON.stringify({ resize: '640x480' }) });
  console.log(`image-${i} → ${sent.lease.consumer.id} (${sent.topic}@${sent.offset})`);
}
// Or let Handoff produce it, waiting up to 5 s for a free worker:
const dispatched = await producer.dispatch('images', { key: 'image-last', value: '{}' }, { waitMs: 5_000 });
console.log(`image-last → ${dispatched.lease.consumer.id} via dispatch`);
await producer.close();
