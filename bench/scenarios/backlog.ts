// Scenario 5, the backlog (issue #16, producers that never wait): (1) throughput end to end — 100,000
// jobs produced to the pool's Kafka intake at t0 (submitted, when the server has no intake), 64 SDK
// consumers with empty handlers, until every job is completed — beside graphile-worker's jobs/s from
// the same run; (2) memory — the server's RSS with 1,000,000 pending jobs against its RSS with none.
import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { HandoffProducer } from '../../src/client/index.js';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { GetStats, RegisterConsumer } from '../../src/client/operations.js';
import { startHandoffConsumers } from '../lib/consumers.js';
import { cpuSnapshot, cpuSpentMs, databaseBackendPids, postgresPids } from '../lib/cpu.js';
import { type Backend, type BenchServer, adminQuery, backendLabel, rssMiB, settledRssMiB, startBenchServer } from '../lib/infra.js';
import { intakeReady, produceToIntake } from '../lib/intake.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, resultOfThisRun, table, verdict, writeResult } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { barChart, palette } from '../lib/svg.js';
import type { ReferenceResults } from './reference.js';

const consumerCount = 64;
const submitBatch = 1_000; // submitJobs' most per call
const submitsInFlight = 4;
const yardstickConcurrency = 64; // graphile-worker's window with as many workers as we have consumers

interface Throughput {
  backend: Backend;
  /** How the jobs got in: the Kafka intake, or submitJobs where the server has no intake. */
  way: 'intake' | 'submit';
  notes: string[];
  jobs: number;
  completed: number;
  seconds: number;
  jobsPerSecond: number;
  /** How long producing (or submitting) every job took, from t0. */
  inputSeconds: number;
  /**
   * CPU per job over the whole window: the server process; the bench process (the 64 consumers and the
   * producer); the backends of the server's database, and every postgres process on the machine (which
   * includes whatever else uses this PostgreSQL server).
   */
  serverCpuPerJobUs: number;
  benchCpuPerJobUs: number;
  databaseBackendsCpuPerJobUs: number;
  postgresCpuPerJobUs: number;
}

/** 64 consumers with empty handlers; every job in at t0; done when the server has none pending or in flight. */
async function measureThroughput(context: RunContext, backend: Backend, jobs: number, deadlineMs: number): Promise<Throughput> {
  const server = await startBenchServer(backend, { kafkaBrokers: context.kafkaBrokers });
  const pool = `bl-${randomBytes(3).toString('hex')}`;
  const handled = new Set<string>();
  let allHandled!: () => void;
  const everyJobHandled = new Promise<void>((resolve) => (allHandled = resolve));
  const consumers = await startHandoffConsumers(context, server, pool, consumerCount, async (job) => {
    handled.add(job.value);
    if (handled.size === jobs) allHandled();
  });
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const kafka = new Kafka({ clientId: 'bench-backlog', brokers: context.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const kafkaProducer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const producer = new HandoffProducer({ url: server.url, headers: server.headers });
  const notes: string[] = [];
  try {
    const ready = await intakeReady(server, kafka, pool);
    if ('notAvailable' in ready) notes.push(`intake not available, jobs submitted instead: ${ready.notAvailable}`);
    else await kafkaProducer.connect();
    const values = Array.from({ length: jobs }, (_, n) => String(n));
    const pids = [server.pid];
    const postgres = await postgresPids();
    const backends = server.databaseName ? await databaseBackendPids(server.databaseName) : [];
    const [serverBefore, postgresBefore, backendsBefore] = await Promise.all([cpuSnapshot(pids), cpuSnapshot(postgres), cpuSnapshot(backends)]);
    const benchBefore = process.cpuUsage();
    const bar = progressBar(`backlog: ${jobs} jobs, ${backend}`, jobs);
    const timer = setInterval(() => bar.update(handled.size), 250);
    const started = performance.now();
    const input = ('topic' in ready ? produceToIntake(kafkaProducer, ready.topic, values) : submitAll(producer, pool, values)).then(() => (performance.now() - started) / 1000);
    await Promise.race([everyJobHandled, sleep(deadlineMs)]);
    // Handled is not completed: the last completeLease calls are on their way. Done when the server says so.
    for (;;) {
      const { stats } = await client.request(GetStats, { pool });
      if ((stats.backlog === 0 && stats.inFlight === 0 && handled.size === jobs) || performance.now() - started > deadlineMs) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    const [serverAfter, postgresAfter, backendsAfter] = await Promise.all([cpuSnapshot(pids), cpuSnapshot(postgres), cpuSnapshot(backends)]);
    const bench = process.cpuUsage(benchBefore);
    clearInterval(timer);
    bar.finish(handled.size < jobs ? 'deadline reached' : '');
    const inputSeconds = await input;
    return {
      backend,
      way: 'topic' in ready ? 'intake' : 'submit',
      notes,
      jobs,
      completed: handled.size,
      seconds: round(seconds),
      jobsPerSecond: round(handled.size / seconds),
      inputSeconds: round(inputSeconds),
      serverCpuPerJobUs: round((cpuSpentMs(serverBefore, serverAfter) * 1000) / handled.size),
      benchCpuPerJobUs: round((bench.user + bench.system) / handled.size),
      databaseBackendsCpuPerJobUs: round((cpuSpentMs(backendsBefore, backendsAfter) * 1000) / handled.size),
      postgresCpuPerJobUs: round((cpuSpentMs(postgresBefore, postgresAfter) * 1000) / handled.size),
    };
  } finally {
    await kafkaProducer.disconnect();
    await producer.close();
    await client.close();
    await consumers.stop();
    await server.stop();
  }
}

/** submitJobs, 1,000 jobs a call, 4 calls at a time; `onBatch` after each with the jobs submitted so far. */
async function submitAll(producer: HandoffProducer, pool: string, values: readonly string[], onBatch: (submitted: number) => void = () => {}): Promise<void> {
  let next = 0;
  let submitted = 0;
  await Promise.all(
    Array.from({ length: submitsInFlight }, async () => {
      while (next < values.length) {
        const batch = values.slice(next, next + submitBatch);
        next += batch.length;
        await producer.submit(pool, batch.map((value) => ({ key: value, value })));
        submitted += batch.length;
        onBatch(submitted);
      }
    }),
  );
}

interface Memory {
  backend: Backend;
  pending: number;
  fillSeconds: number;
  /** Server RSS (MiB): with no job, along the fill (every tenth), and with every job pending. */
  rssEmptyMiB: number;
  rssFullMiB: number;
  /** Sampled as the fill goes, without collecting garbage first: how RSS moves, not what is held. */
  rssAlongFill: { pending: number; rssMiB: number }[];
  /** The database's size on disk (PostgreSQL only: PGlite's lives in the server). */
  databaseMiB: number | undefined;
  backlogReported: number;
}

/**
 * A pool whose one consumer is BUSY (so nothing is sent) filled with `pending` jobs by submitJobs; the
 * server's RSS from /proc/<pid>/status before and after, each after a full garbage collection (through
 * the server's inspector) and a few seconds' rest.
 */
async function measureMemory(context: RunContext, backend: Backend, pending: number, settleMs: number): Promise<Memory> {
  const server: BenchServer = await startBenchServer(backend, { kafkaBrokers: context.kafkaBrokers, inspector: true });
  const pool = `mem-${randomBytes(3).toString('hex')}`;
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const producer = new HandoffProducer({ url: server.url, headers: server.headers });
  try {
    await client.request(RegisterConsumer, { input: { id: `${pool}-busy`, pool, capacity: 1, status: 'BUSY' } });
    // One small submit first, so the code paths (and their allocations) are warm before the baseline.
    await producer.submit(pool, [{ value: 'warm-up' }]);
    await server.collectGarbage();
    const rssEmptyMiB = await settledRssMiB(server.pid, settleMs);
    const values = Array.from({ length: pending - 1 }, (_, n) => String(n));
    const rssAlongFill: Memory['rssAlongFill'] = [];
    const bar = progressBar(`backlog: fill ${pending} pending, ${backend}`, pending);
    const every = Math.ceil(pending / 10);
    let nextSample = every;
    const samples: Promise<void>[] = [];
    const started = performance.now();
    await submitAll(producer, pool, values, (submitted) => {
      bar.update(submitted + 1);
      if (submitted + 1 >= nextSample) {
        nextSample += every;
        samples.push(rssMiB(server.pid).then((rss) => void rssAlongFill.push({ pending: submitted + 1, rssMiB: round(rss) })));
      }
    });
    const fillSeconds = (performance.now() - started) / 1000;
    await Promise.all(samples);
    bar.finish();
    await server.collectGarbage();
    const rssFullMiB = await settledRssMiB(server.pid, settleMs);
    const { stats } = await client.request(GetStats, { pool });
    const databaseMiB = server.databaseName
      ? Number((await adminQuery<{ bytes: string }>(`SELECT pg_database_size('${server.databaseName}') AS bytes`))[0]?.bytes ?? Number.NaN) / 2 ** 20
      : undefined;
    return {
      backend,
      pending,
      fillSeconds: round(fillSeconds),
      rssEmptyMiB: round(rssEmptyMiB),
      rssFullMiB: round(rssFullMiB),
      rssAlongFill: rssAlongFill.sort((x, y) => x.pending - y.pending),
      databaseMiB: databaseMiB === undefined ? undefined : round(databaseMiB),
      backlogReported: stats.backlog,
    };
  } finally {
    await producer.close();
    await client.close();
    await server.stop();
  }
}

export async function runBacklog(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const jobs = context.quick ? 10_000 : 100_000;
  const pending = context.quick ? 100_000 : 1_000_000;
  const memoryRuns: { backend: Backend; pending: number }[] = [
    { backend: 'postgres', pending },
    { backend: 'pglite', pending },
  ];
  const settleMs = context.quick ? 5_000 : 10_000;

  // A run that has not finished by then reports the jobs/s of what it finished.
  const deadlineMs = context.quick ? 240_000 : 600_000;
  const throughput = await measureThroughput(context, 'postgres', jobs, deadlineMs);
  const memory: Memory[] = [];
  for (const run of memoryRuns) memory.push(await measureMemory(context, run.backend, run.pending, settleMs));

  const reference = await resultOfThisRun<ReferenceResults>(context, 'reference');
  const graphile = reference?.windows.find((window) => window.concurrency === yardstickConcurrency);
  context.log(`\nThe backlog, end to end: ${jobs.toLocaleString('en')} jobs at t0 through ${throughput.way === 'intake' ? 'the Kafka intake' : 'submitJobs'}, ${consumerCount} consumers with empty handlers`);
  context.log(
    table([
      ['backend', 'way in', 'completed', 'seconds', 'jobs/s', 'all in after', 'CPU/job: server', 'bench', 'db backends', 'all postgres', 'graphile-worker ×64 jobs/s'],
      [
        backendLabel[throughput.backend],
        throughput.way,
        `${throughput.completed}/${throughput.jobs}`,
        throughput.seconds,
        throughput.jobsPerSecond,
        `${throughput.inputSeconds} s`,
        `${throughput.serverCpuPerJobUs} µs`,
        `${throughput.benchCpuPerJobUs} µs`,
        `${throughput.databaseBackendsCpuPerJobUs} µs`,
        `${throughput.postgresCpuPerJobUs} µs`,
        graphile?.jobsPerSecond ?? 'not run',
      ],
    ]),
  );
  for (const note of throughput.notes) context.log(`  ${note}`);
  context.log(`\nServer memory with pending jobs (one BUSY consumer, filled by submitJobs, ${submitBatch} a call)`);
  context.log(
    table([
      ['backend', 'pending', 'fill', 'RSS empty', 'RSS full', 'growth', 'per job', 'database', 'backlog'],
      ...memory.map((m) => [
        backendLabel[m.backend],
        m.pending.toLocaleString('en'),
        `${m.fillSeconds} s`,
        `${m.rssEmptyMiB} MiB`,
        `${m.rssFullMiB} MiB`,
        `${round(m.rssFullMiB - m.rssEmptyMiB)} MiB`,
        `${round(((m.rssFullMiB - m.rssEmptyMiB) * 2 ** 20) / m.pending)} B`,
        m.databaseMiB === undefined ? 'in the server' : `${m.databaseMiB} MiB`,
        m.backlogReported.toLocaleString('en'),
      ]),
    ]),
  );

  const complete = throughput.completed === throughput.jobs;
  const headline: HeadlineRow[] = [
    {
      metric: `The backlog end to end: ${jobs.toLocaleString('en')} jobs at t0 through ${throughput.way === 'intake' ? 'the Kafka intake' : 'submitJobs (no intake)'}, ${consumerCount} consumers with empty handlers, PostgreSQL (jobs/s)`,
      value: `${throughput.jobsPerSecond} jobs/s${complete ? '' : `, ${throughput.completed}/${throughput.jobs} done`}; graphile-worker at concurrency ${yardstickConcurrency}: ${graphile ? `${graphile.jobsPerSecond} jobs/s` : 'not run in this run'}`,
      goal: '≥ graphile-worker’s jobs/s in the same run',
      status: verdict(complete && graphile !== undefined && throughput.jobsPerSecond >= graphile.jobsPerSecond),
    },
    ...memory.map(
      (m): HeadlineRow => ({
        metric: `Server RSS with ${m.pending.toLocaleString('en')} pending jobs against none, ${backendLabel[m.backend]}`,
        value: `${m.rssFullMiB} MiB against ${m.rssEmptyMiB} MiB (${m.rssFullMiB >= m.rssEmptyMiB ? '+' : ''}${round(m.rssFullMiB - m.rssEmptyMiB)} MiB)`,
        goal: '–',
        status: 'reference',
      }),
    ),
  ];
  logVerdicts(context, headline);

  const svg = barChart({
    title: `The backlog: ${jobs.toLocaleString('en')} jobs at t0 to ${consumerCount} consumers, jobs/s end to end`,
    subtitle: `${throughput.way === 'intake' ? 'through the Kafka intake' : 'through submitJobs'} · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}, PostgreSQL ${context.machine.postgres.split(' ')[0]}`,
    unit: 'jobs/s',
    groups: [
      {
        label: 'Same PostgreSQL, same run',
        bars: [
          { label: `Handoff (${throughput.way})`, value: throughput.jobsPerSecond, color: palette[0] },
          { label: `graphile-worker ×${yardstickConcurrency}`, value: graphile?.jobsPerSecond ?? Number.NaN, text: graphile ? undefined : 'not run in this run', color: '#8a8a8a' },
        ],
      },
    ],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'backlog',
    title: 'The backlog: jobs/s end to end, and memory with a million pending',
    parameters: { jobs, deadlineMs, consumers: consumerCount, handler: 'empty (returns at once)', pending: memoryRuns, submitBatch, submitsInFlight, rssSettledOverMs: settleMs, yardstickConcurrency },
    headline,
    results: { throughput, memory, graphileWorker: graphile ?? null },
  });
}
