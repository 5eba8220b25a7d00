// `npm run demo`: Handoff on the embedded database plus a local Kafka broker, 4 consumers of different
// speeds and 1 producer sending 200 jobs. Watch each job go to the next free consumer.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startKafkaBroker } from '../scripts/kafka/broker.js';
import { HandoffConsumer, HandoffProducer } from '../src/client/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer } from '../src/server/index.js';

const jobs = 200;
const workers = [
  { id: 'demo-fast-1', ms: 20 },
  { id: 'demo-fast-2', ms: 25 },
  { id: 'demo-medium', ms: 60 },
  { id: 'demo-slow', ms: 200 },
];

const scratch = await mkdtemp(path.join(os.tmpdir(), 'handoff-demo-'));
console.log('Starting a local Kafka broker (first run fetches its jars from Maven Central) …');
const broker = await startKafkaBroker({ dataDir: path.join(scratch, 'kafka'), removeOnStop: true });
const adminToken = `demo-${randomBytes(16).toString('hex')}`;
const headers = { authorization: `Bearer ${adminToken}` };
const config = loadConfig({}, { port: 0, dataDir: path.join(scratch, 'handoff'), logLevel: 'warn', adminToken, kafka: { brokers: [broker.brokers], clientId: 'handoff-demo', produceTimeoutMs: 5_000 } });
const server = await startServer(config, createLogger(config));
console.log(`Handoff at ${server.url} (embedded database), Kafka at ${broker.brokers}\n`);

const kafka = { brokers: [broker.brokers] };
const counts = new Map(workers.map((worker) => [worker.id, 0]));
let done = 0;
const consumers = workers.map(
  (worker) =>
    new HandoffConsumer({
      url: server.url,
      headers,
      id: worker.id,
      pool: 'demo',
      kafka,
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, worker.ms));
        counts.set(worker.id, (counts.get(worker.id) ?? 0) + 1);
        done += 1;
      },
    }),
);
await Promise.all(consumers.map((consumer) => consumer.start()));

const render = (final = false) => {
  const width = 40;
  const filled = Math.round((done / jobs) * width);
  const lines = [
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${jobs} jobs`,
    ...workers.map((worker) => `  ${worker.id.padEnd(12)} ${String(worker.ms).padStart(4)} ms/job  ${'█'.repeat(Math.ceil((counts.get(worker.id) ?? 0) / 2)).padEnd(50)} ${counts.get(worker.id)}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!final) process.stdout.write(`\x1b[${lines.length}A`);
};

const producer = new HandoffProducer({ url: server.url, headers, kafka });
const started = Date.now();
const timer = setInterval(render, 100);
await Promise.all(Array.from({ length: jobs }, (_, i) => producer.send('demo', { key: `job-${i}`, value: JSON.stringify({ n: i }) })));
while (done < jobs) await new Promise((resolve) => setTimeout(resolve, 50));
clearInterval(timer);
render(true);
console.log(`\n${jobs} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s — each went to the next free consumer, so the slow one took few.`);

await producer.close();
await Promise.all(consumers.map((consumer) => consumer.stop()));
await server.close();
await broker.stop();
await rm(scratch, { recursive: true, force: true });
