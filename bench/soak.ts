// `npm run soak`: 3 Handoff replicas on one PostgreSQL, 50 consumers that crash at random, 4 more in
// processes of their own that are paused mid-job for 2.5 heartbeat TTLs (SIGSTOP … SIGCONT),
// 20,000 jobs. Prints jobs lost, jobs handed out twice at the same time to consumers that were not
// paused, and jobs a paused consumer finished after they went to another (all three must be 0),
// false OFFLINE verdicts, redeliveries per crash or pause and dispatch latency; exits 1 if a must-be-0
// is not.
//   npm run soak -- --jobs 2000 --consumers 20 --replicas 2      (a shorter run)
//   npm run soak -- --stress 4      (beside 4 CPU-burning processes of its own: the machine overloaded)
//   npm run soak -- --submit        (producers that never wait: half submitJobs, half plain records on the
//                                    pool's Kafka intake topic; also counts the backlog's rows per job)
// PostgreSQL: SOAK_POSTGRES_URL (default postgres@127.0.0.1:5432); Kafka: KAFKA_BROKERS, or the
// project's own broker (scripts/kafka) started for the run. Everything runs on loopback.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type KafkaBroker, startKafkaBroker } from '../scripts/kafka/broker.js';
import { type ServerProcess, startServerProcess } from '../scripts/serverProcess.js';
import { HandoffConsumer, HandoffError, HandoffProducer, LeaseLostError } from '../src/client/index.js';
import { SoakLedger } from './lib/ledger.js';
import { progressBar } from './lib/progress.js';
import type { WorkerEvent } from './lib/soakWorker.js';
import { sleep } from './lib/stats.js';
import { type Stress, startStress } from './lib/stress.js';
import { countBacklogRows, submitThroughBacklog } from './lib/submitters.js';

const { values: args } = parseArgs({
  options: {
    replicas: { type: 'string', default: '3' },
    consumers: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '20000' },
    producers: { type: 'string', default: '40' },
    'crash-every-ms': { type: 'string', default: '1000' },
    'paused-consumers': { type: 'string', default: '4' },
    'pause-every-ms': { type: 'string', default: '20000' },
    'timeout-s': { type: 'string', default: '900' },
    stress: { type: 'string', default: '0' },
    submit: { type: 'boolean', default: false },
  },
});
const submitMode = args.submit === true;
const replicaCount = Number(args.replicas);
const consumerCount = Number(args.consumers);
const jobCount = Number(args.jobs);
const producerCount = Number(args.producers);
const crashEveryMs = Number(args['crash-every-ms']);
const pausedCount = Number(args['paused-consumers']);
const pauseEveryMs = Number(args['pause-every-ms']);
const stressCount = Number(args.stress);
const deadline = Date.now() + Number(args['timeout-s']) * 1000;
const heartbeatTtlMs = 10_000;
/**
 * Long enough for a paused consumer to be judged OFFLINE (TTL, plus up to a session beat since it was
 * last heard, plus the grace a loaded machine adds: 6 s at load 26) and told so (a sweep interval, and
 * the lag of the replica telling) before it resumes; shorter than six TTLs, when its replica would
 * drop its session. A pause that ends before the news arrives lets the handler finish (its completion
 * is refused): at-least-once, not a double completion.
 */
const pauseMs = 2 * heartbeatTtlMs + 5_000;
/** Lets the I/O already received be read before looking at a job's signal (setImmediate runs after the poll phase). */
const afterPendingIo = () => new Promise((resolve) => setImmediate(resolve));

/** What is to be stopped at the end, last first — also when the run fails half-way. */
const cleanups: (() => Promise<unknown>)[] = [];
let exitCode = 1;
try {
  exitCode = await soak();
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup:', error));
}
process.exit(exitCode);

async function soak(): Promise<number> {
  // ---- infrastructure ----------------------------------------------------------------------------
  const adminUrl = process.env.SOAK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const dbName = `handoff_soak_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${dbName}`);
  cleanups.push(() => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'handoff-soak-'));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  let broker: KafkaBroker | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    broker = await startKafkaBroker({ dataDir: path.join(scratch, 'kafka'), removeOnStop: true });
    cleanups.push(() => broker!.stop());
    brokers = broker.brokers;
  }
  const token = `soak-${randomBytes(16).toString('hex')}`;
  const headers = { authorization: `Bearer ${token}` };
  const env = { HANDOFF_ADMIN_TOKEN: token, KAFKA_BROKERS: brokers, HANDOFF_HEARTBEAT_TTL_MS: String(heartbeatTtlMs), HANDOFF_SWEEP_INTERVAL_MS: '250' };
  const replicas: ServerProcess[] = [];
  cleanups.push(() => Promise.all(replicas.map((replica) => replica.stop())));
  for (let i = 0; i < replicaCount; i++) replicas.push(await startServerProcess({ databaseUrl, dataDir: scratch }, env));
  const urls = replicas.map((replica) => replica.url);
  /** Each client starts on a different replica, so load spreads; all of them are its failover list. */
  const urlsFrom = (i: number) => [...urls.slice(i % urls.length), ...urls.slice(0, i % urls.length)];
  const kafka = { brokers: brokers.split(',') };
  console.log(
    `${replicaCount} replicas, ${consumerCount} consumers + ${pausedCount} paused now and then, ${producerCount} producers, ${jobCount} jobs; heartbeat TTL ${heartbeatTtlMs / 1000} s; Kafka ${brokers}`,
  );
  // The burners start once everything is up, and stop by themselves at the run's deadline at the latest.
  const loadBefore = os.loadavg()[0] ?? 0;
  let stress: Stress | undefined;
  if (stressCount > 0) {
    stress = startStress(stressCount, deadline - Date.now() + 60_000);
    cleanups.push(() => stress!.stop());
    console.log(`stress: ${stressCount} CPU-burning processes on ${os.availableParallelism()} cores (load average ${loadBefore.toFixed(2)} before)`);
  }
  const lagWatch = watchReplicaLag(urls, headers);
  cleanups.push(async () => lagWatch.stop());

  // ---- consumers that crash ----------------------------------------------------------------------
  const ledger = new SoakLedger();
  let crashes = 0;
  // A pool (and so topics) of its own: a broker reused across runs (KAFKA_BROKERS) keeps old records.
  const pool = `soak-${randomBytes(3).toString('hex')}`;

  function newConsumer(slot: number, id: string): HandoffConsumer {
    return new HandoffConsumer({
      url: urlsFrom(slot),
      headers,
      id,
      pool,
      kafka,
      heartbeatIntervalMs: 1_000,
      onError: () => {}, // crashes make errors; what counts is below
      handler: async (job) => {
        ledger.started(job.value, id, job.attempt);
        await sleep(1 + Math.floor(Math.random() * 20), job.signal);
        await afterPendingIo();
        // Crashed mid-job (this process would be gone: the crasher has accounted for it), or the lease was lost.
        if (job.signal.aborted) {
          if (job.signal.reason instanceof LeaseLostError) ledger.aborted(job.value, id);
          return;
        }
        ledger.finished(job.value, id);
      },
    });
  }

  const consumers: HandoffConsumer[] = [];
  /** The id each slot's consumer has now. */
  const idOf: string[] = [];
  cleanups.push(() => Promise.all(consumers.map((consumer) => consumer.stop().catch(() => consumer.abort()))));
  let generation = 0;
  await Promise.all(
    Array.from({ length: consumerCount }, async (_, slot) => {
      idOf[slot] = `soak-${slot}-g0`;
      consumers[slot] = newConsumer(slot, idOf[slot]);
      await consumers[slot]!.start();
    }),
  );

  // ---- consumers that are paused -----------------------------------------------------------------
  const workers = await startPausedWorkers(pausedCount, { urlsFrom, pool, brokers, token, ledger });
  cleanups.push(() => Promise.all(workers.map((worker) => worker.stop())));

  let stopping = false;
  const crasher = (async () => {
    while (!stopping) {
      await sleep(crashEveryMs * (0.5 + Math.random()));
      if (stopping) break;
      const slot = Math.floor(Math.random() * consumerCount);
      const victim = consumers[slot]!;
      // A crash: its jobs in hand are no longer being worked on by anyone.
      ledger.crashed(idOf[slot]!);
      await victim.abort();
      crashes += 1;
      // Half come back under the same id (a restart), half never do (a lost machine, replaced by a new one).
      const id = Math.random() < 0.5 ? `soak-${slot}-g${generation}` : `soak-${slot}-g${++generation}`;
      await sleep(300);
      idOf[slot] = id;
      consumers[slot] = newConsumer(slot, id);
      await consumers[slot]!.start();
    }
  })();
  let pauses = 0;
  const pauser = (async () => {
    if (workers.length === 0) return;
    while (!stopping) {
      await sleep(pauseEveryMs * (0.5 + Math.random()));
      const worker = workers[Math.floor(Math.random() * workers.length)]!;
      // Mid-job, if one comes within 10 s.
      const until = Date.now() + 10_000;
      while (!stopping && ledger.holding(worker.id) === 0 && Date.now() < until) await sleep(5);
      if (stopping) break;
      await worker.pause(pauseMs);
      pauses += 1;
    }
  })();

  // ---- producers ---------------------------------------------------------------------------------
  const latencies: number[] = [];
  let nextJob = 0;
  /**
   * Sends tried again: Handoff refused them and nothing was sent (a claim that ran out before the job
   * was attached), or Kafka refused the record (send() gave the slot back; a record Kafka kept anyway
   * reaches its consumer on a released lease, which refuses its completion).
   */
  let retriedSends = 0;
  const refusalsToRetry: readonly string[] = ['CONFLICT', 'NO_FREE_CONSUMER', 'KAFKA_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'RATE_LIMITED', 'SHUTTING_DOWN'];
  const producers = Array.from({ length: producerCount }, (_, i) => new HandoffProducer({ url: urlsFrom(i), headers, kafka }));
  cleanups.push(() => Promise.all(producers.map((producer) => producer.close())));
  const started = Date.now();
  const bar = progressBar('soak', jobCount);
  const progress = setInterval(
    () => bar.update(ledger.completedBy.size, `done, ${crashes} crashes, ${pauses} pauses, ${ledger.redeliveries} redeliveries${stress ? `, load ${stress.load().toFixed(1)}` : ''}`),
    250,
  );
  const submitted = submitMode
    ? await submitThroughBacklog({ pool, jobCount, deadline, producers, url: urls[0]!, headers, brokers: kafka.brokers, batch: 50 })
    : undefined;
  latencies.push(...(submitted?.latencies ?? []));
  await Promise.all(
    producers.map(async (producer, i) => {
      while (!submitMode && nextJob < jobCount && Date.now() < deadline) {
        const n = nextJob++;
        const job = { key: `job-${n}`, value: `job-${n}` };
        const sentAt = performance.now();
        for (;;) {
          try {
            // Half the producers produce themselves, half ask Handoff to.
            if (i % 2 === 0) await producer.send(pool, job, { ttlMs: 10_000 });
            else await producer.dispatch(pool, job, { waitMs: 60_000, ttlMs: 10_000 });
            break;
          } catch (error) {
            const refused = (error instanceof HandoffError && refusalsToRetry.includes(error.code)) || (error instanceof Error && error.name.startsWith('KafkaJS'));
            if (!refused || Date.now() > deadline) throw error;
            retriedSends += 1;
          }
        }
        latencies.push(performance.now() - sentAt);
      }
    }),
  );
  while (ledger.completedBy.size < jobCount && Date.now() < deadline) await sleep(100);
  clearInterval(progress);
  bar.finish();
  stopping = true;
  await Promise.all([crasher, pauser]);
  const seconds = (Date.now() - started) / 1000;
  const peakLoad = stress?.peakLoad;
  await stress?.stop();
  const lag = lagWatch.stop();

  // ---- report ------------------------------------------------------------------------------------
  const verdicts = await countVerdicts(databaseUrl, pool, new Set(workers.map((worker) => worker.id)));
  const lost = jobCount - ledger.completedBy.size;
  const backlog = submitMode ? await countBacklogRows(databaseUrl, pool) : undefined;
  const doubled = backlog ? backlog.rows - backlog.distinct : 0;
  const ms = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(1));
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1) ?? '-';
  const mustBeZero = (count: number) => (count === 0 ? '' : '   <-- must be 0');
  const interruptions = crashes + pauses;
  console.log(`\n
${
    submitted && backlog
      ? `jobs submitted                     ${submitted.viaApi} through submitJobs, ${submitted.viaIntake} through the Kafka intake, in batches of 50 (${submitted.retried} retried after an error)
jobs recorded twice in the backlog ${doubled}${mustBeZero(doubled)}   (${backlog.rows} rows for ${backlog.distinct} jobs)
recorded to completed p50/p99/max  ${ms(backlog.p50Ms)} / ${ms(backlog.p99Ms)} / ${ms(backlog.maxMs)} ms`
      : `jobs sent                          ${latencies.length} (${retriedSends} sends retried after a refusal)`
  }
jobs completed                     ${ledger.completedBy.size}
jobs lost                          ${lost}${mustBeZero(lost)}
jobs handed out twice concurrently ${ledger.concurrentTwice}${mustBeZero(ledger.concurrentTwice)}   (to consumers that were not paused)
  … while a paused one held it     ${ledger.pausedDoubles}: ${ledger.pausedDoublesAborted} stopped by the paused one once resumed, ${ledger.pausedDoublesFinished} finished by it${mustBeZero(ledger.pausedDoublesFinished)}
jobs completed more than once      ${ledger.completedTwice}   (a crash after the work, before the completion was recorded)
jobs stopped for a lost lease      ${ledger.lostByUnpaused} on consumers never paused, ${ledger.lostByPaused} more on paused ones (a job that reached one while it was stopped)
false OFFLINE                      ${verdicts.unpaused.falseOfflines} of ${verdicts.unpaused.verdicts} verdicts on consumers that were not paused; ${verdicts.paused.falseOfflines} of ${verdicts.paused.verdicts} on paused ones (a pause is unreachable, not dead: it shows life again)
redeliveries                       ${ledger.redeliveries} for ${crashes} crashes and ${pauses} pauses (${interruptions === 0 ? '-' : (ledger.redeliveries / interruptions).toFixed(2)} per interruption)
replica lag, worst / grace, worst  ${lag.worstLagS.toFixed(2)} s / ${lag.worstGraceS.toFixed(2)} s   (how late a replica was to hear; how much longer than the TTL verdicts waited)
${(submitMode ? 'submit p50 / p99 / max, a batch' : 'dispatch latency p50 / p99 / max').padEnd(34)} ${quantile(0.5)} / ${quantile(0.99)} / ${latencies.at(-1)?.toFixed(1) ?? '-'} ms
duration                           ${seconds.toFixed(1)} s (${(ledger.completedBy.size / seconds).toFixed(0)} jobs/s)${
    peakLoad === undefined ? '' : `\nstress                             ${stressCount} CPU burners, load average peaked at ${peakLoad.toFixed(2)} on ${os.availableParallelism()} cores`
  }`);
  return lost === 0 && doubled === 0 && ledger.concurrentTwice === 0 && ledger.pausedDoublesFinished === 0 ? 0 : 1;
}

interface PausedWorker {
  id: string;
  /** SIGSTOP, `ms`, SIGCONT. */
  pause(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** Consumers in processes of their own (bench/lib/soakWorker.ts), reporting each job to the ledger. */
async function startPausedWorkers(
  count: number,
  parts: { urlsFrom: (i: number) => string[]; pool: string; brokers: string; token: string; ledger: SoakLedger },
): Promise<PausedWorker[]> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `soak-paused-${i}`;
      const child: ChildProcess = spawn(
        process.execPath,
        ['--import', 'tsx', 'bench/lib/soakWorker.ts', parts.urlsFrom(i).join(','), id, parts.pool, parts.brokers, parts.token],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const ready = new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`paused worker ${id} exited with ${code} before it was ready`)));
        child.on('message', (message: WorkerEvent) => {
          if (message.kind === 'ready') resolve();
          else if (message.kind === 'start') parts.ledger.started(message.value, id, message.attempt);
          else if (message.kind === 'done') parts.ledger.finished(message.value, id);
          else parts.ledger.aborted(message.value, id);
        });
      });
      let paused: Promise<void> | undefined;
      await ready;
      return {
        id,
        async pause(ms) {
          parts.ledger.paused(id);
          child.kill('SIGSTOP');
          paused = sleep(ms);
          await paused;
          child.kill('SIGCONT');
        },
        async stop() {
          await paused;
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGCONT');
          child.send('stop');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }),
  );
}

/** Verdicts and false OFFLINEs (judged OFFLINE, then alive with the same epoch), from the database, for paused consumers and the others. */
async function countVerdicts(databaseUrl: string, pool: string, pausedIds: ReadonlySet<string>) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; offline_verdicts: number; false_offlines: number }>(
      'SELECT id, offline_verdicts, false_offlines FROM consumers WHERE pool = $1',
      [pool],
    );
    const sum = (paused: boolean) => {
      const mine = rows.filter((row) => pausedIds.has(row.id) === paused);
      return { verdicts: mine.reduce((n, row) => n + row.offline_verdicts, 0), falseOfflines: mine.reduce((n, row) => n + row.false_offlines, 0) };
    };
    return { paused: sum(true), unpaused: sum(false) };
  } finally {
    await client.end();
  }
}

/** Reads every replica's lag and verdict grace from /metrics every 5 s; stop() gives the worst seen. */
function watchReplicaLag(urls: string[], headers: Record<string, string>) {
  let worstLagS = 0;
  let worstGraceS = 0;
  const read = (text: string, name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
  const timer = setInterval(() => {
    for (const url of urls) {
      fetch(url.replace(/\/graphql$/, '/metrics'), { headers, signal: AbortSignal.timeout(4_000) })
        .then((response) => response.text())
        .then((text) => {
          worstLagS = Math.max(worstLagS, read(text, 'handoff_replica_lag_seconds'));
          worstGraceS = Math.max(worstGraceS, read(text, 'handoff_offline_grace_seconds'));
        })
        // A scrape that times out on an overloaded machine is just a sample missed.
        .catch(() => undefined);
    }
  }, 5_000);
  return {
    stop() {
      clearInterval(timer);
      return { worstLagS, worstGraceS };
    },
  };
}
