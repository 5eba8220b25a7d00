// Scenario 4, a yardstick: graphile-worker (a Node + PostgreSQL job queue) on the same PostgreSQL
// server: add_job → task start latency, and jobs per second at concurrency 1, 8 and 64. It runs first
// (bench/run.ts): the latency, throughput and backlog scenarios set their goals against these figures
// from the same run, and print them beside their own.
import { Logger, type Runner, makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { createBenchDatabase } from '../lib/infra.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, ms, table, writeResult } from '../lib/report.js';
import { type Summary, round, roundSummary, sleep, summarize } from '../lib/stats.js';
import { barChart } from '../lib/svg.js';

const concurrencies = [1, 8, 64];
const silent = new Logger(() => () => {});

interface ThroughputWindow {
  concurrency: number;
  jobs: number;
  jobsPerSecond: number;
}

/** What the other scenarios read (resultOfThisRun): add_job → start, and jobs/s per concurrency. */
export interface ReferenceResults {
  latency: Summary;
  windows: ThroughputWindow[];
}

/** Started on the database with one task, `bench`, that reports when it starts. */
async function startRunner(pgPool: pg.Pool, concurrency: number, onStart: (payload: unknown) => void): Promise<Runner> {
  return run({
    pgPool,
    concurrency,
    noHandleSignals: true,
    pollInterval: 2_000, // new jobs arrive by LISTEN/NOTIFY; polling is only the fallback
    logger: silent,
    taskList: { bench: async (payload) => onStart(payload) },
  });
}

async function measureLatency(pgPool: pg.Pool, samples: number): Promise<Summary> {
  const utils = await makeWorkerUtils({ pgPool, logger: silent });
  let started: ((at: number) => void) | undefined;
  const runner = await startRunner(pgPool, 1, () => started?.(performance.now()));
  const latencies: number[] = [];
  const bar = progressBar('reference: add_job → start', samples);
  try {
    for (let i = -3; i < samples; i++) {
      const startedAt = new Promise<number>((resolve) => (started = resolve));
      const t0 = performance.now();
      await utils.addJob('bench', { i });
      const at = await startedAt;
      if (i >= 0) latencies.push(at - t0);
      await sleep(5); // the previous job's completion is written before the next add
      bar.update(i + 1);
    }
    bar.finish();
  } finally {
    await runner.stop();
    await utils.release();
  }
  return roundSummary(summarize(latencies));
}

async function measureThroughput(pgPool: pg.Pool, concurrency: number, jobs: number): Promise<ThroughputWindow> {
  const utils = await makeWorkerUtils({ pgPool, logger: silent });
  const runner = await startRunner(pgPool, concurrency, () => {});
  let completed = 0;
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  runner.events.on('job:complete', () => {
    if (++completed === jobs) allDone();
  });
  const bar = progressBar(`reference: ×${concurrency}`, jobs);
  const timer = setInterval(() => bar.update(completed), 200);
  const started = performance.now();
  for (let first = 0; first < jobs; first += 500) {
    await utils.addJobs(Array.from({ length: Math.min(500, jobs - first) }, (_, i) => ({ identifier: 'bench', payload: { i: first + i } })));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  bar.finish();
  await runner.stop();
  await utils.release();
  return { concurrency, jobs, jobsPerSecond: round(jobs / seconds) };
}

export async function runReference(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const samples = context.quick ? 30 : 200;
  const jobs = context.quick ? 1_000 : 5_000;
  const database = await createBenchDatabase();
  let latency: Summary;
  const windows: ThroughputWindow[] = [];
  // One pool of 10 connections (graphile-worker's default size), ours to end before the database is dropped.
  const pgPool = new pg.Pool({ connectionString: database.url, max: 10 });
  // Connections cut by the DROP at the end are expected, on the pool and on each client.
  pgPool.on('error', () => {});
  pgPool.on('connect', (client) => client.on('error', () => {}));
  try {
    const utils = await makeWorkerUtils({ pgPool, logger: silent });
    await utils.migrate();
    await utils.release();
    latency = await measureLatency(pgPool, samples);
    for (const concurrency of concurrencies) windows.push(await measureThroughput(pgPool, concurrency, jobs));
  } finally {
    await pgPool.end();
    await database.drop();
  }

  context.log(`\nReference: graphile-worker ${context.machine.packages['graphile-worker']} on the same PostgreSQL (defaults: LISTEN/NOTIFY, pool of 10)`);
  context.log(
    table([
      ['measure', 'graphile-worker'],
      ['add_job → task starts, p50', ms(latency.p50)],
      ['… p99', ms(latency.p99)],
      ...windows.map((w) => [`jobs/s at concurrency ${w.concurrency} (${w.jobs} jobs)`, w.jobsPerSecond]),
    ]),
  );
  context.log('(Handoff beside it: the latency, throughput and backlog scenarios print these figures with theirs.)');

  const headline: HeadlineRow[] = [
    {
      metric: `Yardstick: graphile-worker on the same PostgreSQL, add_job → start p50 / p99; jobs/s at concurrency ${concurrencies.join(' / ')}`,
      value: `${ms(latency.p50)} / ${ms(latency.p99)}; ${windows.map((w) => w.jobsPerSecond).join(' / ')}`,
      goal: '–',
      status: 'reference',
    },
  ];
  const svg = barChart({
    title: 'Yardstick: graphile-worker jobs per second on the same PostgreSQL',
    subtitle: `add_job → start p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)} · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}, PostgreSQL ${context.machine.postgres.split(' ')[0]}`,
    unit: 'jobs/s',
    groups: [{ label: `graphile-worker ${context.machine.packages['graphile-worker']}, ${jobs} jobs a window`, bars: windows.map((w) => ({ label: `concurrency ${w.concurrency}`, value: w.jobsPerSecond })) }],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'reference',
    title: 'graphile-worker as a yardstick',
    parameters: { latencySamples: samples, jobsPerWindow: jobs, concurrencies, task: 'an async function that returns at once', addJobsBatch: 500 },
    headline,
    results: { latency, windows } satisfies ReferenceResults,
  });
}
