// Scenario 3, claim throughput: claim + complete pairs per second at concurrency 1, 8 and 64 on PGlite
// and PostgreSQL, over HTTP and over WebSocket (the SDK's default); then 10,000 registered consumers
// and 1,000 open subscriptions: the server's memory (RSS) and the claim latency at that size.
import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { ClaimFreeConsumer, CompleteLease, RegisterConsumer } from '../../src/client/operations.js';
import { type Backend, type BenchServer, type Transport, backendLabel, rssMiB, settledRssMiB, startBenchServer, transportLabel, transports } from '../lib/infra.js';
import { Arrivals, subscribedProducers, waitersReady } from '../lib/leases.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, ms, resultOfThisRun, table, verdict, writeResult } from '../lib/report.js';
import { type Summary, round, roundSummary, sleep, summarize } from '../lib/stats.js';
import { barChart, goalColor, palette } from '../lib/svg.js';
import type { ReferenceResults } from './reference.js';

const concurrencies = [1, 8, 64];
const registrationsPerRequest = 20; // HANDOFF_MAX_ALIASES
/** Issue #18's goals: pairs/s through the SDK's transport at 64 on PostgreSQL; memory and claim p99 at scale. */
const goal = { pairsPerSecond: 1_500, atConcurrency: 64, rssMiB: { postgres: 300, pglite: 400 }, claimP99Ms: 20 };
/** Claims at scale go the SDK's way. */
const scaleTransport: Transport = 'websocket';
/** How long the RSS after a full collection is sampled (the least sample counts; see settledRssMiB). */
const settleMs = 3_000;

interface Window {
  transport: Transport;
  concurrency: number;
  pairsPerSecond: number;
  claim: Summary;
  complete: Summary;
  errors: number;
}

/** `concurrency` loops of claimFreeConsumer → completeLease for `seconds`, each with its own client (an HTTP keep-alive connection, or a WebSocket). */
async function claimLoop(server: BenchServer, pool: string, transport: Transport, concurrency: number, seconds: number, label: string): Promise<Window> {
  const clients = Array.from({ length: concurrency }, () => new GraphQLClient({ url: server.url, headers: server.headers, transport }));
  const claims: number[] = [];
  const completes: number[] = [];
  let errors = 0;
  const bar = progressBar(label, Math.round(seconds));
  const started = performance.now();
  const end = started + seconds * 1000;
  const timer = setInterval(() => bar.update(Math.floor((performance.now() - started) / 1000), `${claims.length} claims`), 250);
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < end) {
        try {
          const t0 = performance.now();
          const { claimFreeConsumer } = await client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
          const t1 = performance.now();
          await client.request(CompleteLease, { id: claimFreeConsumer.id });
          claims.push(t1 - t0);
          completes.push(performance.now() - t1);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(timer);
  bar.finish(`${claims.length} claims`);
  await Promise.all(clients.map((client) => client.close()));
  return { transport, concurrency, pairsPerSecond: round(completes.length / elapsed), claim: roundSummary(summarize(claims)), complete: roundSummary(summarize(completes)), errors };
}

type Registered = Record<string, { id: string }>;

interface BackendResult {
  backend: Backend;
  windows: Window[];
  scale: Awaited<ReturnType<typeof atScale>>;
}

/** Registers `count` consumers, 20 per request (aliases), 4 requests at a time. */
async function registerMany(client: GraphQLClient, pool: string, count: number, bar: (done: number) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const first = next;
        next = Math.min(count, next + registrationsPerRequest);
        const fields = Array.from({ length: next - first }, (_, i) => `r${i}: registerConsumer(input: { id: "${pool}-${first + i}", pool: "${pool}", capacity: 1 }) { id }`);
        const document = parse(`mutation Register { ${fields.join('\n')} }`) as TypedDocumentNode<Registered, Record<string, never>>;
        await client.request(document);
        bar(next);
      }
    }),
  );
}

async function atScale(server: BenchServer, consumers: number, subscriptions: number, seconds: number) {
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const pool = `scale-${randomBytes(3).toString('hex')}`;
  const rssIdle = await rssMiB(server.pid);
  const bar = progressBar(`throughput: ${server.backend} register`, consumers);
  const registerStarted = performance.now();
  await registerMany(client, pool, consumers, (done) => bar.update(done));
  const registrationsPerSecond = consumers / ((performance.now() - registerStarted) / 1000);
  bar.finish();
  await sleep(1_000);
  const rssRegistered = await rssMiB(server.pid);
  // Producers waiting in another pool, never served: subscriptions held open, 250 per connection.
  const waitPool = `${pool}-wait`;
  const waiting = subscribedProducers(server.url, server.headers, waitPool, subscriptions, new Arrivals(), 250);
  await waitersReady(client, waitPool, subscriptions, 60_000);
  await sleep(1_000);
  const rssSubscribed = await rssMiB(server.pid);
  // What the server holds, not what its collector has not yet reclaimed from the windows before.
  await server.collectGarbage();
  const rssHeld = await settledRssMiB(server.pid, settleMs);
  const window = await claimLoop(server, pool, scaleTransport, 8, seconds, `throughput: ${server.backend} at scale`);
  const rssAfterClaims = await rssMiB(server.pid);
  await waiting.stop();
  await client.close();
  return {
    consumers,
    subscriptions,
    registrationsPerSecond: round(registrationsPerSecond),
    rssMiB: { idle: round(rssIdle), registered: round(rssRegistered), subscribed: round(rssSubscribed), held: round(rssHeld), afterClaims: round(rssAfterClaims) },
    claimsAtConcurrency8: window,
  };
}

export async function runThroughput(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const seconds = context.quick ? 3 : 8;
  const scale = context.quick ? { consumers: 2_000, subscriptions: 200 } : { consumers: 10_000, subscriptions: 1_000 };
  const backends: Backend[] = ['pglite', 'postgres'];
  const results: BackendResult[] = [];
  for (const backend of backends) {
    // With its inspector: the scale step collects the server's garbage before it reads what it holds.
    const server = await startBenchServer(backend, { inspector: true });
    try {
      const client = new GraphQLClient({ url: server.url, headers: server.headers });
      const pool = `tp-${randomBytes(3).toString('hex')}`;
      // Enough slots that a claim never finds the pool full: this measures the claim, not a wait.
      for (let i = 0; i < 64; i++) await client.request(RegisterConsumer, { input: { id: `${pool}-${i}`, pool, capacity: 1_000 } });
      await client.close();
      const windows: Window[] = [];
      for (const transport of transports) {
        await claimLoop(server, pool, transport, 8, 1, `throughput: ${backend} ${transport} warm-up`);
        for (const concurrency of concurrencies) windows.push(await claimLoop(server, pool, transport, concurrency, seconds, `throughput: ${backend} ${transport} ×${concurrency}`));
      }
      results.push({ backend, windows, scale: await atScale(server, scale.consumers, scale.subscriptions, seconds) });
    } finally {
      await server.stop();
    }
  }

  const reference = await resultOfThisRun<ReferenceResults>(context, 'reference');
  const graphile = (concurrency: number) => reference?.windows.find((w) => w.concurrency === concurrency)?.jobsPerSecond;
  context.log(`\nClaim throughput: claimFreeConsumer + completeLease pairs, ${seconds} s per window, one client per loop`);
  context.log(
    table([
      ['backend', 'transport', 'concurrency', 'pairs/s', 'claim p50', 'claim p99', 'complete p50', 'errors', 'graphile-worker jobs/s'],
      ...results.flatMap((result) =>
        result.windows.map((w) => [
          backendLabel[result.backend],
          w.transport,
          w.concurrency,
          w.pairsPerSecond,
          ms(w.claim.p50),
          ms(w.claim.p99),
          ms(w.complete.p50),
          w.errors,
          result.backend === 'postgres' ? (graphile(w.concurrency) ?? 'not run') : '–',
        ]),
      ),
    ]),
  );
  context.log(`\nAt scale: ${scale.consumers} registered consumers, ${scale.subscriptions} open awaitFreeConsumer subscriptions (server RSS; PGlite's database lives in the server process); claims over ${scaleTransport}`);
  context.log(
    table([
      ['backend', 'registrations/s', 'RSS idle', 'registered', '+ subscriptions', 'held (after a full GC)', 'after claims', 'claims/s ×8', 'claim p50', 'claim p99'],
      ...results.map(({ backend, scale: s }) => [
        backendLabel[backend],
        s.registrationsPerSecond,
        `${s.rssMiB.idle} MiB`,
        `${s.rssMiB.registered} MiB`,
        `${s.rssMiB.subscribed} MiB`,
        `${s.rssMiB.held} MiB`,
        `${s.rssMiB.afterClaims} MiB`,
        s.claimsAtConcurrency8.pairsPerSecond,
        ms(s.claimsAtConcurrency8.claim.p50),
        ms(s.claimsAtConcurrency8.claim.p99),
      ]),
    ]),
  );

  const perBackend = (describe: (result: BackendResult) => string) => results.map((result) => `${backendLabel[result.backend]}: ${describe(result)}`).join('; ');
  const windowOf = (result: BackendResult | undefined, transport: Transport, concurrency: number) => result?.windows.find((w) => w.transport === transport && w.concurrency === concurrency);
  const postgres = results.find((result) => result.backend === 'postgres');
  const sdkAt64 = windowOf(postgres, 'websocket', goal.atConcurrency);
  const headline: HeadlineRow[] = [
    ...transports.map(
      (transport): HeadlineRow => ({
        metric: `Claims + completes per second over ${transportLabel[transport]} at concurrency ${concurrencies.join(' / ')}`,
        value: perBackend((result) => concurrencies.map((c) => windowOf(result, transport, c)?.pairsPerSecond ?? '–').join(' / ')),
        goal: '–',
        status: 'reference',
      }),
    ),
    {
      metric: `Claims + completes per second through the SDK's transport (WebSocket), concurrency ${goal.atConcurrency}, PostgreSQL`,
      value: `${sdkAt64?.pairsPerSecond ?? 'not measured'} pairs/s (graphile-worker at ${goal.atConcurrency}: ${graphile(goal.atConcurrency) ?? 'not run in this run'} jobs/s)`,
      goal: `≥ ${goal.pairsPerSecond.toLocaleString('en')}/s`,
      status: verdict(sdkAt64 !== undefined && sdkAt64.pairsPerSecond >= goal.pairsPerSecond),
    },
    ...results.map(
      ({ backend, scale: s }): HeadlineRow => ({
        metric: `${scale.consumers.toLocaleString('en')} consumers + ${scale.subscriptions.toLocaleString('en')} waiting subscriptions, ${backendLabel[backend]}: server RSS held (after a full GC; before it); claim p50 / p99`,
        value: `${s.rssMiB.held} MiB (${s.rssMiB.subscribed} MiB); ${ms(s.claimsAtConcurrency8.claim.p50)} / ${ms(s.claimsAtConcurrency8.claim.p99)}`,
        goal: `≤ ${goal.rssMiB[backend]} MiB; p99 ≤ ${goal.claimP99Ms} ms`,
        status: verdict(s.rssMiB.held <= goal.rssMiB[backend] && s.claimsAtConcurrency8.claim.p99 <= goal.claimP99Ms && s.claimsAtConcurrency8.errors === 0),
      }),
    ),
  ];
  logVerdicts(context, headline);
  const svg = barChart({
    title: 'Claim throughput: claimFreeConsumer + completeLease pairs per second',
    subtitle: `${seconds} s windows · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}`,
    unit: 'pairs/s',
    groups: [
      ...results.map(({ backend, windows, scale: s }) => ({
        label: backendLabel[backend],
        bars: [
          ...windows.map((w) => ({ label: `${transportLabel[w.transport]} ×${w.concurrency}`, value: w.pairsPerSecond, color: w.transport === 'http' ? palette[1] : palette[0] })),
          { label: `${scaleTransport === 'websocket' ? 'WebSocket' : 'HTTP'} ×8, ${s.consumers} consumers`, value: s.claimsAtConcurrency8.pairsPerSecond, color: palette[2] },
        ],
      })),
      ...(reference
        ? [{ label: 'graphile-worker on the same PostgreSQL, same run (jobs/s)', bars: reference.windows.map((w) => ({ label: `×${w.concurrency}`, value: w.jobsPerSecond, color: '#8a8a8a' })) }]
        : []),
    ],
    markers: [{ value: goal.pairsPerSecond, label: 'goal: SDK transport ×64, PostgreSQL', color: goalColor }],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'throughput',
    title: 'Claim throughput and scale',
    parameters: { concurrencies, transports, windowSeconds: seconds, consumersInPool: 64, capacityEach: 1_000, scale, scaleTransport, registrationsPerRequest, clients: 'one per loop: an HTTP keep-alive connection, or a graphql-ws WebSocket', databasePoolSize: 10, goal },
    headline,
    results,
  });
}
