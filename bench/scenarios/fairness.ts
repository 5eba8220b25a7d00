// Scenario 6, who goes first (issue #17): two tenants on one pool of 16 consumers. A submits 20,000
// short jobs at t0, B submits 100 at t0 + 1 s. B's wait with fairness off (no key), on (a key per
// tenant), and with B at priority 5; and a limit of 4 in flight for A, sampled every 50 ms.
import { randomBytes } from 'node:crypto';
import { HandoffProducer } from '../../src/client/index.js';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { GetBacklog, SetConcurrencyLimit } from '../../src/client/operations.js';
import { startHandoffConsumers } from '../lib/consumers.js';
import { type BenchServer, startBenchServer } from '../lib/infra.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, ms, table, verdict, writeResult } from '../lib/report.js';
import { type Summary, round, roundSummary, sleep, summarize } from '../lib/stats.js';
import { barChart, goalColor, palette } from '../lib/svg.js';

const consumerCount = 16;
const jobMs = 50; // every job, A's and B's: "short jobs", so the mean job duration is this
const bJobs = 100;
const bAtMs = 1_000;
const bPriority = 5;
const capForA = 4;
const sampleEveryMs = 50;
const submitBatch = 1_000;
const tenantsWithWork = 2;
const goalMakespanRatio = 1.05;
/** Issue #17: B is not stuck behind A's backlog — its p99 wait within 2 × the mean job duration × the tenants with work. */
const goalBWaitMs = 2 * jobMs * tenantsWithWork;

type RowKind = 'off' | 'on' | 'priority' | 'cap';
const rowLabel: Record<RowKind, string> = {
  off: 'fairness off (no key)',
  on: 'fairness on (a key per tenant)',
  priority: `fairness off, B at priority ${bPriority}`,
  cap: `fairness on, A limited to ${capForA} in flight`,
};

interface Row {
  kind: RowKind;
  label: string;
  aJobs: number;
  /** Jobs started (each once) of A's and B's. */
  started: { a: number; b: number };
  /** From B's submitJobs being sent to each of its jobs starting. */
  bWaitMs: Summary;
  aWaitMs: Summary;
  /** From t0 to the last job's end (not for the limited row, which stops once B is done). */
  makespanMs: number | undefined;
  lowerBoundMs: number;
  /** How long A's 20 submitJobs calls took, all sent at t0 (B's go at 1 s whatever they do). */
  aSubmittedMs: number;
  /** The limited row: A's jobs in flight by the server's count (stats.backlogBy FAIRNESS_KEY) every 50 ms, and by the handlers running. */
  inFlightA?: { samples: number; maxSampled: number; aboveLimit: number; maxRunningAtOnce: number };
}

async function runRow(context: RunContext, server: BenchServer, kind: RowKind, aJobs: number): Promise<Row> {
  const pool = `fair-${kind}-${randomBytes(3).toString('hex')}`;
  const starts = new Map<string, number>();
  let finished = 0;
  let lastEnd = 0;
  const running = { A: 0, B: 0 };
  let maxRunningA = 0;
  const total = aJobs + bJobs;
  let everyJobDone!: () => void;
  const allDone = new Promise<void>((resolve) => (everyJobDone = resolve));
  let bDone!: () => void;
  const bAllStarted = new Promise<void>((resolve) => (bDone = resolve));
  let bStarted = 0;
  const consumers = await startHandoffConsumers(context, server, pool, consumerCount, async (job) => {
    const tenant = job.value.startsWith('A') ? 'A' : 'B';
    if (!starts.has(job.value)) {
      starts.set(job.value, performance.now());
      if (tenant === 'B' && ++bStarted === bJobs) bDone();
    }
    running[tenant] += 1;
    if (tenant === 'A') maxRunningA = Math.max(maxRunningA, running.A);
    await sleep(jobMs);
    running[tenant] -= 1;
    lastEnd = performance.now();
    if (++finished === total) everyJobDone();
  });
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const producer = new HandoffProducer({ url: server.url, headers: server.headers });
  const keyed = kind === 'on' || kind === 'cap';
  try {
    if (kind === 'cap') await client.request(SetConcurrencyLimit, { pool, key: 'A', maxInFlight: capForA });
    const bar = progressBar(`fairness: ${kind}`, total);
    const progress = setInterval(() => bar.update(starts.size), 250);
    const t0 = performance.now();
    const aSubmitted = Promise.all(
      Array.from({ length: Math.ceil(aJobs / submitBatch) }, (_, batch) =>
        producer.submit(
          pool,
          Array.from({ length: Math.min(submitBatch, aJobs - batch * submitBatch) }, (_, i) => ({ value: `A${batch * submitBatch + i}`, ...(keyed && { fairnessKey: 'A' }) })),
        ),
      ),
    ).then(() => performance.now() - t0);
    await sleep(bAtMs - (performance.now() - t0));
    const bSentAt = performance.now();
    const bSubmitted = producer.submit(
      pool,
      Array.from({ length: bJobs }, (_, i) => ({ value: `B${i}`, ...(keyed && { fairnessKey: 'B' }), ...(kind === 'priority' && { priority: bPriority }) })),
    );
    const inFlightA = kind === 'cap' ? sampleInFlight(client, pool) : undefined;
    const lowerBoundMs = (total * jobMs) / consumerCount;
    const deadline = sleep(lowerBoundMs * 6 + 60_000);
    // The limited row stops once B is done and A has run at its limit a while: A alone at 4 would take 5 minutes more.
    const until = kind === 'cap' ? bAllStarted.then(() => sleep(context.quick ? 3_000 : 10_000)) : allDone;
    await Promise.race([until, deadline]);
    const sampled = await inFlightA?.stop();
    clearInterval(progress);
    bar.finish(kind === 'cap' ? 'stopped once B was done' : finished < total ? 'deadline reached' : '');
    const aSubmittedMs = await aSubmitted;
    await bSubmitted;
    const waits = (tenant: 'A' | 'B', from: number) => [...starts].filter(([value]) => value.startsWith(tenant)).map(([, at]) => at - from);
    return {
      kind,
      label: rowLabel[kind],
      aJobs,
      started: { a: waits('A', t0).length, b: waits('B', bSentAt).length },
      bWaitMs: roundSummary(summarize(waits('B', bSentAt))),
      aWaitMs: roundSummary(summarize(waits('A', t0))),
      makespanMs: kind === 'cap' || finished < total ? undefined : round(lastEnd - t0),
      lowerBoundMs: round(lowerBoundMs),
      aSubmittedMs: round(aSubmittedMs),
      ...(sampled && { inFlightA: { ...sampled, maxRunningAtOnce: maxRunningA } }),
    };
  } finally {
    await producer.close();
    await client.close();
    await consumers.stop();
  }
}

/** Every 50 ms, A's jobs in flight as the server counts them; stop() gives the most seen and how often it passed the limit. */
function sampleInFlight(client: GraphQLClient, pool: string) {
  let samples = 0;
  let maxSampled = 0;
  let aboveLimit = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const next = sleep(sampleEveryMs);
      const { stats } = await client.request(GetBacklog, { pool, by: 'FAIRNESS_KEY', top: 10 });
      const a = stats.backlogBy.find((group) => group.group === 'A')?.inFlight ?? 0;
      samples += 1;
      maxSampled = Math.max(maxSampled, a);
      if (a > capForA) aboveLimit += 1;
      await next;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { samples, maxSampled, aboveLimit };
    },
  };
}

export async function runFairness(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const aJobs = context.quick ? 4_000 : 20_000;
  const server = await startBenchServer('postgres', { kafkaBrokers: context.kafkaBrokers });
  const rows: Row[] = [];
  try {
    // The limited row last: it leaves A's remaining jobs behind, in a pool of its own.
    for (const kind of ['off', 'on', 'priority', 'cap'] as const) rows.push(await runRow(context, server, kind, aJobs));
  } finally {
    await server.stop();
  }

  context.log(`\nWho goes first: A submits ${aJobs.toLocaleString('en')} jobs at t0, B ${bJobs} at t0 + ${bAtMs / 1000} s; ${consumerCount} consumers; every job ${jobMs} ms; PostgreSQL`);
  context.log(
    table([
      ['row', 'B wait p50', 'B wait p99', 'B wait max', 'A wait p50', 'makespan', '÷ bound', 'A submitted in', 'A in flight (most seen)'],
      ...rows.map((row) => [
        row.label,
        ms(row.bWaitMs.p50),
        ms(row.bWaitMs.p99),
        ms(row.bWaitMs.max),
        ms(row.aWaitMs.p50),
        row.makespanMs === undefined ? '–' : `${(row.makespanMs / 1000).toFixed(2)} s`,
        row.makespanMs === undefined ? '–' : (row.makespanMs / row.lowerBoundMs).toFixed(3),
        `${(row.aSubmittedMs / 1000).toFixed(2)} s`,
        row.inFlightA ? `${row.inFlightA.maxSampled} (${row.inFlightA.samples} samples; handlers at once: ${row.inFlightA.maxRunningAtOnce})` : '–',
      ]),
    ]),
  );

  const on = rows.find((row) => row.kind === 'on')!;
  const cap = rows.find((row) => row.kind === 'cap')!;
  const onRatio = on.makespanMs === undefined ? Number.NaN : on.makespanMs / on.lowerBoundMs;
  const bWaits = (row: Row) => `${ms(row.bWaitMs.p50)} / ${ms(row.bWaitMs.p99)}${row.started.b < bJobs ? ` (${row.started.b}/${bJobs} started)` : ''}`;
  const headline: HeadlineRow[] = [
    {
      metric: `Who goes first: B's ${bJobs} jobs at 1 s behind A's ${aJobs.toLocaleString('en')}, fairness on, PostgreSQL (B wait p50 / p99; makespan ÷ lower bound)`,
      value: `${bWaits(on)}; ${Number.isFinite(onRatio) ? `${onRatio.toFixed(3)} ×` : 'not finished'}`,
      goal: `p99 ≤ ${goalBWaitMs} ms (2 × ${jobMs} ms × ${tenantsWithWork} tenants); ≤ ${goalMakespanRatio} ×`,
      status: verdict(on.started.b === bJobs && on.bWaitMs.p99 <= goalBWaitMs && onRatio <= goalMakespanRatio),
    },
    ...rows
      .filter((row) => row.kind === 'off' || row.kind === 'priority')
      .map((row): HeadlineRow => ({ metric: `Same, ${row.label} (B wait p50 / p99)`, value: bWaits(row), goal: '–', status: 'reference' })),
    {
      metric: `A limited to ${capForA} in flight (setConcurrencyLimit), sampled every ${sampleEveryMs} ms: the most in flight`,
      value: cap.inFlightA ? `${cap.inFlightA.maxSampled} (${cap.inFlightA.samples} samples, ${cap.inFlightA.aboveLimit} above ${capForA})` : 'not sampled',
      goal: `never above ${capForA}`,
      status: verdict(cap.inFlightA !== undefined && cap.inFlightA.samples > 0 && cap.inFlightA.maxSampled <= capForA && cap.inFlightA.maxRunningAtOnce <= capForA),
    },
  ];
  logVerdicts(context, headline);

  const svg = barChart({
    title: `Who goes first: B's ${bJobs} jobs arrive 1 s after A's ${aJobs.toLocaleString('en')} (${consumerCount} consumers, ${jobMs} ms jobs)`,
    subtitle: `B's wait, p50 and p99 · PostgreSQL · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}`,
    unit: 'ms',
    log: true,
    groups: rows.map((row) => ({
      label: row.label,
      bars: [
        { label: 'B wait p50', value: row.bWaitMs.p50, color: palette[0] },
        { label: 'B wait p99', value: row.bWaitMs.p99, color: palette[1] },
      ],
    })),
    markers: [{ value: goalBWaitMs, label: 'goal with fairness on: p99', color: goalColor }],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'fairness',
    title: 'Who goes first: a late tenant behind a large one',
    parameters: { consumers: consumerCount, jobMs, aJobs, bJobs, bAtMs, bPriority, capForA, sampleEveryMs, submitBatch, goalBWaitMs, goalMakespanRatio, backend: 'postgres' },
    headline,
    results: rows,
  });
}
