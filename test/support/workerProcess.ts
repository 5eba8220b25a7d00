// A HandoffConsumer in a process of its own, for tests that kill it: prints "started <lease> <attempt>"
// when a job begins, then works on it for a minute.
//   tsx test/support/workerProcess.ts <url> <id> <pool> <brokers> <token>
import { HandoffConsumer } from '../../src/client/index.js';

const [url, id, pool, brokers, token] = process.argv.slice(2);
if (!url || !id || !pool || !brokers || !token) throw new Error('usage: workerProcess.ts <url> <id> <pool> <brokers> <token>');

const consumer = new HandoffConsumer({
  url,
  headers: { authorization: `Bearer ${token}` },
  id,
  pool,
  kafka: { brokers: brokers.split(',') },
  heartbeatIntervalMs: 200,
  handler: async (job) => {
    console.log(`started ${job.leaseId} ${job.attempt}`);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  },
});
await consumer.start();
console.log('ready');
