// A Handoff worker: registers, takes jobs from its own topic, and drains cleanly on Ctrl-C.
//   HANDOFF_TOKEN=<key> HANDOFF_URL=http://127.0.0.1:4000/graphql KAFKA_BROKERS=127.0.0.1:9092 npx tsx examples/worker.ts worker-1
// The key: the ADMIN token from .handoff/admin-token, or a CONSUMER key bound to this worker's id.
import { HandoffConsumer } from '../src/client/index.js';

const id = process.argv[2] ?? 'worker-1';
const consumer = new HandoffConsumer({
  url: process.env.HANDOFF_URL ?? 'http://127.0.0.1:4000/graphql',
  headers: { authorization: `Bearer ${process.env.HANDOFF_TOKEN ?? ''}` },
  id,
  pool: 'images',
  kafka: { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') },
  handler: async (job) => {
    console.log(`${id}: job ${job.key} (attempt ${job.attempt}): ${job.value}`);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the work (honour job.signal in real work)
    // Before the result counts outside (a write, a payment): is the job still this consumer's?
    // Rejects with a LeaseLostError if Handoff gave it to another meanwhile (then nothing is completed here).
    await job.confirmLease();
    console.log(`${id}: job ${job.key} done`);
  },
});

await consumer.start();
console.log(`${id} is FREE and waiting for jobs`);
process.once('SIGINT', () => {
  console.log(`${id} draining …`);
  void consumer.stop().then(() => process.exit(0));
});
