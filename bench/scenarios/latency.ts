// Scenario 2, handoff latency: from a consumer's `setStatus FREE` (or `completeLease`) to a waiting
// producer holding the lease over graphql-ws, with 1, 16 and 256 producers waiting; then the same
// with producers polling every 100 ms and 10 ms, and the load each way puts on the database. The
// trigger goes over HTTP; at 16 waiters also over WebSocket, as the SDK consumer sends it. The goal is
// absolute and against graphile-worker's add_job → start from the same run (the reference scenario).
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { CompleteLease, RegisterConsumer, SetStatus } from '../../src/client/operations.js';
import { type Backend, type BenchServer, type Transport, backendLabel, startBenchServer, transactionCount, transportLabel } from '../lib/infra.js';
import { Arrivals, type Producers, pollingProducers, subscribedProducers, waitersReady } from '../lib/leases.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, ms, resultOfThisRun, table, verdict, writeResult } from '../lib/report.js';
import { type Summary, round, roundSummary, seededRandom, sleep, summarize } from '../lib/stats.js';
import { barChart, goalColor } from '../lib/svg.js';
import type { ReferenceResults } from './reference.js';

const waiterCounts = [1, 16, 256];
const pollIntervals = [100, 10];
const pollers = 16;
const warmupCycles = 3; // not counted: the first handoffs warm up connections and caches
const goal = { waiters: 16, p50: 2, p99: 10, ofGraphileWorker: 0.5 };

interface Row {
  backend: Backend;
  mode: string;
  /** How the consumer's trigger mutation travels. */
  trigger: Transport;
  producers: number;
  /** Trigger → lease held, by trigger. */
  afterSetStatusFree: Summary;
  afterCompleteLease: Summary | undefined;
  /** Round trip of the trigger mutation itself (HTTP), for scale. */
  triggerRoundTrip: Summary;
  /** While the producers wait and nothing frees: requests they send, and database transactions (PostgreSQL only). */
  idleRequestsPerSecond: number;
  idleDatabaseTransactionsPerSecond: number | undefined;
}

/** The consumer whose slot the producers wait for, driven over HTTP as a HandoffConsumer would. */
async function registerConsumer(client: GraphQLClient, pool: string) {
  const id = `${pool}-consumer`;
  const { registerConsumer: consumer } = await client.request(RegisterConsumer, { input: { id, pool, capacity: 1 } });
  await client.request(SetStatus, { id, status: 'BUSY', epoch: consumer.epoch });
  return {
    /** Sends the mutation; resolves with its round trip. */
    async trigger(kind: 'free' | 'busy' | { complete: string }): Promise<number> {
      const started = performance.now();
      if (kind === 'free' || kind === 'busy') await client.request(SetStatus, { id, status: kind === 'free' ? 'FREE' : 'BUSY', epoch: consumer.epoch });
      else await client.request(CompleteLease, { id: kind.complete, consumerId: id, epoch: consumer.epoch });
      return performance.now() - started;
    },
  };
}

interface IdleWindow {
  seconds: number;
  /**
   * PostgreSQL counts a connection's transactions in pg_stat_database only when it flushes its
   * statistics: at most once a second while busy, and after 10 s once idle. Waiting this long first
   * keeps the previous step's transactions out of the window (PostgreSQL only; 0 in --quick).
   */
  settleSeconds: number;
}

/** Database transactions per second and producer requests per second over a quiet window. */
async function idleLoad(server: BenchServer, window: IdleWindow, requests: () => number) {
  if (server.databaseName) await sleep(window.settleSeconds * 1000);
  const transactionsBefore = server.databaseName ? await transactionCount(server.databaseName) : Number.NaN;
  const requestsBefore = requests();
  await sleep(window.seconds * 1000);
  const transactionsAfter = server.databaseName ? await transactionCount(server.databaseName) : Number.NaN;
  return {
    idleRequestsPerSecond: round((requests() - requestsBefore) / window.seconds),
    // Minus the two statistics queries themselves.
    idleDatabaseTransactionsPerSecond: server.databaseName ? round(Math.max(0, transactionsAfter - transactionsBefore - 2) / window.seconds) : undefined,
  };
}

async function measureSubscribed(server: BenchServer, waiters: number, cycles: number, idleWindow: IdleWindow, trigger: Transport = 'http'): Promise<Row> {
  const client = new GraphQLClient({ url: server.url, headers: server.headers, transport: trigger });
  const pool = `lat-${randomBytes(3).toString('hex')}`;
  const consumer = await registerConsumer(client, pool);
  const arrivals = new Arrivals();
  // Up to 16 subscriptions share a connection past 16 producers (as a busy producer process would).
  const producers: Producers = subscribedProducers(server.url, server.headers, pool, waiters, arrivals, waiters > 16 ? 16 : 1);
  const free: number[] = [];
  const complete: number[] = [];
  const roundTrips: number[] = [];
  const bar = progressBar(`latency: ${server.backend} ${waiters} waiting${trigger === 'websocket' ? ', ws trigger' : ''}`, cycles);
  try {
    // Quiet first, so leftovers of the cycles do not count as idle load.
    await waitersReady(client, pool, waiters);
    const idle = await idleLoad(server, idleWindow, () => 0);
    for (let cycle = -warmupCycles; cycle < cycles; cycle++) {
      // BUSY with no lease → setStatus FREE: the slot goes to the longest-waiting producer.
      await waitersReady(client, pool, waiters);
      let started = performance.now();
      let next = arrivals.next();
      const roundTrip = await consumer.trigger('free');
      const first = await next;
      if (cycle >= 0) roundTrips.push(roundTrip);
      if (cycle >= 0) free.push(first.at - started);
      // FREE with its slot leased → completeLease: the slot goes to the next one.
      await waitersReady(client, pool, waiters);
      started = performance.now();
      next = arrivals.next();
      const completeRoundTrip = await consumer.trigger({ complete: first.lease.id });
      const second = await next;
      if (cycle >= 0) complete.push(second.at - started);
      if (cycle >= 0) roundTrips.push(completeRoundTrip);
      // Back to BUSY with no lease, unseen by the producers.
      await consumer.trigger('busy');
      await consumer.trigger({ complete: second.lease.id });
      bar.update(cycle + 1);
    }
    bar.finish();
    return {
      backend: server.backend,
      mode: `awaitFreeConsumer (graphql-ws)${trigger === 'websocket' ? ', trigger over WebSocket' : ''}`,
      trigger,
      producers: waiters,
      afterSetStatusFree: roundSummary(summarize(free)),
      afterCompleteLease: roundSummary(summarize(complete)),
      triggerRoundTrip: roundSummary(summarize(roundTrips)),
      ...idle,
    };
  } finally {
    await producers.stop();
    await client.close();
  }
}

async function measurePolling(server: BenchServer, intervalMs: number, cycles: number, idleWindow: IdleWindow): Promise<Row> {
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const pool = `poll-${randomBytes(3).toString('hex')}`;
  const consumer = await registerConsumer(client, pool);
  const arrivals = new Arrivals();
  const counter = { requests: 0 };
  const producers = pollingProducers(server.url, server.headers, pool, pollers, intervalMs, arrivals, counter);
  const random = seededRandom(intervalMs);
  const free: number[] = [];
  const roundTrips: number[] = [];
  const bar = progressBar(`latency: ${server.backend} polling ${intervalMs} ms`, cycles);
  try {
    const idle = await idleLoad(server, idleWindow, () => counter.requests);
    for (let cycle = 0; cycle < cycles; cycle++) {
      await sleep(random() * intervalMs); // the consumer frees at a random point of the polling cycle
      const started = performance.now();
      const next = arrivals.next();
      roundTrips.push(await consumer.trigger('free'));
      const arrival = await next;
      free.push(arrival.at - started);
      await consumer.trigger('busy');
      await consumer.trigger({ complete: arrival.lease.id });
      bar.update(cycle + 1);
    }
    bar.finish();
    return {
      backend: server.backend,
      mode: `polling every ${intervalMs} ms`,
      trigger: 'http',
      producers: pollers,
      afterSetStatusFree: roundSummary(summarize(free)),
      afterCompleteLease: undefined,
      triggerRoundTrip: roundSummary(summarize(roundTrips)),
      ...idle,
    };
  } finally {
    await producers.stop();
    await client.close();
  }
}

export async function runLatency(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const cycles = context.quick ? 25 : 150;
  const pollCycles = context.quick ? 8 : 40;
  const idleWindow: IdleWindow = context.quick ? { seconds: 2, settleSeconds: 0 } : { seconds: 5, settleSeconds: 11 };
  const backends: Backend[] = ['pglite', 'postgres'];
  const rows: Row[] = [];
  for (const backend of backends) {
    const server = await startBenchServer(backend);
    try {
      for (const waiters of waiterCounts) rows.push(await measureSubscribed(server, waiters, cycles, idleWindow));
      rows.push(await measureSubscribed(server, goal.waiters, cycles, idleWindow, 'websocket'));
      for (const intervalMs of pollIntervals) rows.push(await measurePolling(server, intervalMs, pollCycles, idleWindow));
    } finally {
      await server.stop();
    }
  }

  context.log(`\nHandoff latency: trigger mutation sent → a waiting producer holds the lease (${cycles} cycles; polling ${pollCycles})`);
  context.log(
    table([
      ['backend', 'producers', 'mode', 'FREE p50', 'p99', 'max', 'complete p50', 'p99', 'max', 'trigger RTT p50', 'idle req/s', 'idle db tx/s'],
      ...rows.map((row) => [
        backendLabel[row.backend],
        row.producers,
        row.mode,
        ms(row.afterSetStatusFree.p50),
        ms(row.afterSetStatusFree.p99),
        ms(row.afterSetStatusFree.max),
        row.afterCompleteLease ? ms(row.afterCompleteLease.p50) : '–',
        row.afterCompleteLease ? ms(row.afterCompleteLease.p99) : '–',
        row.afterCompleteLease ? ms(row.afterCompleteLease.max) : '–',
        ms(row.triggerRoundTrip.p50),
        row.idleRequestsPerSecond,
        row.idleDatabaseTransactionsPerSecond ?? 'n/a',
      ]),
    ]),
  );

  const reference = await resultOfThisRun<ReferenceResults>(context, 'reference');
  const graphile = reference?.latency;
  if (graphile) context.log(`graphile-worker on the same PostgreSQL in this run, add_job → task start: p50 ${ms(graphile.p50)}, p99 ${ms(graphile.p99)}`);
  const headline: HeadlineRow[] = rows
    .filter((row) => row.producers === goal.waiters && row.mode.startsWith('await'))
    .map((row) => {
      const p50 = Math.max(row.afterSetStatusFree.p50, row.afterCompleteLease?.p50 ?? 0);
      const p99 = Math.max(row.afterSetStatusFree.p99, row.afterCompleteLease?.p99 ?? 0);
      const half = graphile ? { p50: goal.ofGraphileWorker * graphile.p50, p99: goal.ofGraphileWorker * graphile.p99 } : undefined;
      return {
        metric: `Handoff latency, ${goal.waiters} waiting producers, trigger over ${transportLabel[row.trigger]}, ${backendLabel[row.backend]} (p50 / p99)`,
        value: `${ms(p50)} / ${ms(p99)}; graphile-worker's add_job → start ${graphile ? `${ms(graphile.p50)} / ${ms(graphile.p99)}` : 'not run in this run'}`,
        goal: `≤ ${goal.p50} ms / ≤ ${goal.p99} ms, and ≤ ½ graphile-worker's`,
        status: verdict(p50 <= goal.p50 && p99 <= goal.p99 && half !== undefined && p50 <= half.p50 && p99 <= half.p99),
      };
    });
  for (const row of rows.filter((r) => r.mode.startsWith('polling') && r.backend === 'postgres')) {
    headline.push({
      metric: `Same with 16 producers ${row.mode}, PostgreSQL (p50 / p99; load while nothing frees)`,
      value: `${ms(row.afterSetStatusFree.p50)} / ${ms(row.afterSetStatusFree.p99)}; ${row.idleRequestsPerSecond} requests/s, ≈ ${row.idleDatabaseTransactionsPerSecond ?? '?'} db transactions/s`,
      goal: '–',
      status: 'reference',
    });
  }
  logVerdicts(context, headline);

  const svg = barChart({
    title: 'Handoff latency: consumer frees a slot → a waiting producer holds the lease',
    subtitle: `p50 and p99, setStatus FREE trigger · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}`,
    unit: 'ms',
    log: true,
    groups: rows.map((row) => ({
      label: `${backendLabel[row.backend]}: ${row.mode}, ${row.producers} producer${row.producers > 1 ? 's' : ''}`,
      bars: [
        { label: 'p50', value: row.afterSetStatusFree.p50 },
        { label: 'p99', value: row.afterSetStatusFree.p99 },
      ],
    })),
    markers: [
      { value: goal.p50, label: 'goal p50', color: goalColor },
      { value: goal.p99, label: 'goal p99', color: '#b8423c' },
      ...(graphile ? [{ value: graphile.p50, label: 'graphile-worker add_job → start p50 (same run)', color: '#8a8a8a' }] : []),
    ],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'latency',
    title: 'Handoff latency against polling',
    parameters: { waiterCounts, cycles, pollIntervals, pollers, pollCycles, idleWindow, goal, trigger: 'a mutation from the consumer side, over HTTP (and at 16 waiters also over WebSocket); latency runs from sending it to the producer holding the lease' },
    headline,
    results: rows,
  });
}
