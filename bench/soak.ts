// `npm run soak`: 3 Handoff replicas on one PostgreSQL, 50 consumers that crash at random, 20,000 jobs.
// Prints jobs lost (must be 0), jobs handed out twice at the same time (must be 0), redeliveries and
// dispatch latency, and exits 1 if either must-be-0 is not.
//   npm run soak -- --jobs 2000 --consumers 20 --replicas 2      (a shorter run)
// PostgreSQL: SOAK_POSTGRES_URL (default postgres@127.0.0.1:5432); Kafka: KAFKA_BROKERS, or the
// project's own broker (scripts/kafka) started for the run. Everything runs on loopback.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../scripts/kafka/broker.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';
import { HandoffConsumer, HandoffProducer } from '../src/client/index.js';
import { progressBar } from './lib/progress.js';

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    consumers: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '20000' },
    producers: { type: 'string', default: '40' },
    'crash-every-ms': { type: 'string', default: '1000' },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const replicaCount = Number(args.replicas);
const consumerCount = Number(args.consumers);
const jobCount = Number(args.jobs);
const producerCount = Number(args.producers);
const crashEveryMs = Number(args['crash-every-ms']);
const deadline = Date.now() + Number(args['timeout-s']) * 1000;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

// ---- infrastructure ------------------------------------------------------------------------------
const adminUrl = process.env.SOAK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `handoff_soak_${randomBytes(4).toString('hex')}`;
const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
};
await admin(`CREATE DATABASE ${dbName}`);
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
const scratch = await mkdtemp(path.join(os.tmpdir(), 'handoff-soak-'));
let broker: KafkaBroker | undefined;
let brokers = process.env.KAFKA_BROKERS;
if (!brokers) {
  broker = await startKafkaBroker({ dataDir: path.join(scratch, 'kafka'), removeOnStop: true });
  brokers = broker.brokers;
}
const token = `soak-${randomBytes(16).toString('hex')}`;
const headers = { authorization: `Bearer ${token}` };
const env = { HANDOFF_ADMIN_TOKEN: token, KAFKA_BROKERS: brokers, HANDOFF_HEARTBEAT_TTL_MS: '10000', HANDOFF_SWEEP_INTERVAL_MS: '250' };
const replicas: ServerProcess[] = [];
for (let i = 0; i < replicaCount; i++) replicas.push(await startServerProcess({ databaseUrl, dataDir: scratch }, env));
const urls = replicas.map((replica) => replica.url);
/** Each client starts on a different replica, so load spreads; all of them are its failover list. */
const urlsFrom = (i: number) => [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)];
const kafka = { brokers: brokers.split(',') };
console.log(`${replicaCount} replicas, ${consumerCount} consumers, ${producerCount} producers, ${jobCount} jobs; Kafka ${brokers}`);

// ---- consumers that crash ------------------------------------------------------------------------
const completedBy = new Map<string, number>(); // job → times a handler finished it
const active = new Set<string>(); // jobs a live handler is working on right now
let concurrentTwice = 0;
let redeliveries = 0;
let crashes = 0;
const activeOf = new Map<HandoffConsumer, Set<string>>();
// A pool (and so topics) of its own: a broker reused across runs (KAFKA_BROKERS) keeps old records.
const pool = `soak-${randomBytes(3).toString('hex')}`;

function newConsumer(slot: number, id: string): HandoffConsumer {
  const mine = new Set<string>();
  const consumer = new HandoffConsumer({
    url: urlsFrom(slot),
    headers,
    id,
    pool,
    kafka,
    heartbeatIntervalMs: 1_000,
    onError: () => {}, // crashes make errors; what counts is below
    handler: async (job) => {
      if (active.has(job.value)) concurrentTwice += 1;
      if (job.attempt > 1) redeliveries += 1;
      active.add(job.value);
      mine.add(job.value);
      await sleep(1 + Math.floor(Math.random() * 20), job.signal);
      if (job.signal.aborted) return; // crashed mid-job: this process would be gone
      active.delete(job.value);
      mine.delete(job.value);
      completedBy.set(job.value, (completedBy.get(job.value) ?? 0) + 1);
    },
  });
  activeOf.set(consumer, mine);
  return consumer;
}

const consumers: HandoffConsumer[] = [];
let generation = 0;
await Promise.all(
  Array.from({ length: consumerCount }, async (_, slot) => {
    consumers[slot] = newConsumer(slot, `soak-${slot}-g0`);
    await consumers[slot]!.start();
  }),
);

let stopCrashing = false;
const crasher = (async () => {
  while (!stopCrashing) {
    await sleep(crashEveryMs * (0.5 + Math.random()));
    if (stopCrashing) break;
    const slot = Math.floor(Math.random() * consumerCount);
    const victim = consumers[slot]!;
    // A crash: its jobs in hand are no longer being worked on by anyone.
    for (const job of activeOf.get(victim) ?? []) active.delete(job);
    await victim.abort();
    crashes += 1;
    // Half come back under the same id (a restart), half never do (a lost machine, replaced by a new one).
    const id = Math.random() < 0.5 ? `soak-${slot}-g${generation}` : `soak-${slot}-g${++generation}`;
    await sleep(300);
    consumers[slot] = newConsumer(slot, id);
    await consumers[slot]!.start();
  }
})();

// ---- producers ----------------------------------------------------------------------------------
const latencies: number[] = [];
let nextJob = 0;
const producers = Array.from({ length: producerCount }, (_, i) => new HandoffProducer({ url: urlsFrom(i), headers, kafka }));
const started = Date.now();
const bar = progressBar('soak', jobCount);
const progress = setInterval(() => bar.update(completedBy.size, `done, ${crashes} crashes, ${redeliveries} redeliveries`), 250);
await Promise.all(
  producers.map(async (producer, i) => {
    while (nextJob < jobCount && Date.now() < deadline) {
      const n = nextJob++;
      const job = { key: `job-${n}`, value: `job-${n}` };
      const sentAt = performance.now();
      // Half the producers produce themselves, half ask Handoff to.
      if (i % 2 === 0) await producer.send(pool, job, { ttlMs: 10_000 });
      else await producer.dispatch(pool, job, { waitMs: 60_000, ttlMs: 10_000 });
      latencies.push(performance.now() - sentAt);
    }
  }),
);
while (completedBy.size < jobCount && Date.now() < deadline) await sleep(100);
clearInterval(progress);
bar.finish();
stopCrashing = true;
await crasher;
const seconds = (Date.now() - started) / 1000;

// ---- report -------------------------------------------------------------------------------------
const lost = jobCount - completedBy.size;
const completedTwice = [...completedBy.values()].filter((times) => times > 1).length;
latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1) ?? '-';
console.log(`\n
jobs sent                          ${latencies.length}
jobs completed                     ${completedBy.size}
jobs lost                          ${lost}${lost === 0 ? '' : '   <-- must be 0'}
jobs handed out twice concurrently ${concurrentTwice}${concurrentTwice === 0 ? '' : '   <-- must be 0'}
jobs completed more than once      ${completedTwice}   (a crash after the work, before the completion was recorded)
redeliveries                       ${redeliveries}
consumer crashes                   ${crashes}
dispatch latency p50 / p99 / max   ${quantile(0.5)} / ${quantile(0.99)} / ${latencies.at(-1)?.toFixed(1) ?? '-'} ms
duration                           ${seconds.toFixed(1)} s (${(completedBy.size / seconds).toFixed(0)} jobs/s)`);

await Promise.all(producers.map((producer) => producer.close()));
await Promise.all(consumers.map((consumer) => consumer.stop().catch(() => consumer.abort())));
await Promise.all(replicas.map((replica) => replica.stop()));
await broker?.stop();
await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
await rm(scratch, { recursive: true, force: true });
process.exit(lost === 0 && concurrentTwice === 0 ? 0 : 1);
