// Scenario 7, cost per request (issue #18): CPU time the server process and PostgreSQL spend on one
// claimFreeConsumer and on one completeLease, over HTTP and over WebSocket (the SDK's default), at a
// fixed concurrency. CPU from /proc (utime + stime), not wall time: a busy machine stretches a window
// but does not make a request dearer.
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { ClaimFreeConsumer, CompleteLease, RegisterConsumer } from '../../src/client/operations.js';
import { type CpuSnapshot, cpuSnapshot, cpuSpentMs, databaseBackendPids, postgresPids } from '../lib/cpu.js';
import { type BenchServer, type Transport, adminQuery, startBenchServer, transportLabel, transports } from '../lib/infra.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, table, us, verdict, writeResult } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { barChart, goalColor, palette } from '../lib/svg.js';

const concurrency = 16;
const consumersInPool = 64;
const capacityEach = 1_000; // a claim never finds the pool full, even with a whole phase's leases open
const goalUs = 300;

interface Spent {
  requests: number;
  seconds: number;
  serverMs: number;
  backendsMs: number;
  postgresMs: number;
}

interface TransportResult {
  transport: Transport;
  claims: Spent;
  completes: Spent;
  /** CPU per request, µs: the server process; the backends of its database; every postgres process on the machine. */
  perClaimUs: { server: number; databaseBackends: number; allPostgres: number };
  perCompleteUs: { server: number; databaseBackends: number; allPostgres: number };
}

/** The server, its database's backends and every postgres process, now. */
async function snapshot(server: BenchServer) {
  const backends = server.databaseName ? await databaseBackendPids(server.databaseName) : [];
  const [own, database, all] = await Promise.all([cpuSnapshot([server.pid]), cpuSnapshot(backends), cpuSnapshot(await postgresPids())]);
  return { own, database, all, at: performance.now() };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

const spentBetween = (before: Snapshot, after: Snapshot, requests: number): Spent => ({
  requests,
  seconds: (after.at - before.at) / 1000,
  serverMs: cpuSpentMs(before.own, after.own),
  // A backend opened during the phase is not in `before`: measured over the pool's connections, all open after the warm-up.
  backendsMs: cpuSpentMs(before.database, after.database),
  postgresMs: cpuSpentMs(before.all, after.all),
});

const add = (a: Spent, b: Spent): Spent => ({
  requests: a.requests + b.requests,
  seconds: a.seconds + b.seconds,
  serverMs: a.serverMs + b.serverMs,
  backendsMs: a.backendsMs + b.backendsMs,
  postgresMs: a.postgresMs + b.postgresMs,
});
const none: Spent = { requests: 0, seconds: 0, serverMs: 0, backendsMs: 0, postgresMs: 0 };

/** `count` calls of `call` spread over the clients, each client one call at a time. */
async function spread(clients: GraphQLClient[], count: number, call: (client: GraphQLClient, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < count) await call(client, next++);
    }),
  );
}

/**
 * Rounds of `perRound` claims, then the same leases' completes, on `concurrency` clients: each phase
 * only one kind of request, so its CPU is that kind's.
 */
async function measureTransport(server: BenchServer, pool: string, transport: Transport, rounds: number, perRound: number): Promise<TransportResult> {
  const clients = Array.from({ length: concurrency }, () => new GraphQLClient({ url: server.url, headers: server.headers, transport }));
  let claims = none;
  let completes = none;
  const bar = progressBar(`cost: ${transport}`, rounds * perRound * 2);
  try {
    // Warm-up, not counted: connections open (every pool connection of the server too), code paths compiled.
    const warm: string[] = [];
    await spread(clients, 400, async (client) => void warm.push((await client.request(ClaimFreeConsumer, { pool, ttlMs: 600_000 })).claimFreeConsumer.id));
    await spread(clients, warm.length, async (client, i) => void (await client.request(CompleteLease, { id: warm[i]! })));
    for (let round = 0; round < rounds; round++) {
      const leases: string[] = [];
      const start = await snapshot(server);
      await spread(clients, perRound, async (client) => {
        leases.push((await client.request(ClaimFreeConsumer, { pool, ttlMs: 600_000 })).claimFreeConsumer.id);
        bar.update(round * perRound * 2 + leases.length);
      });
      const claimed = await snapshot(server);
      let done = 0;
      await spread(clients, leases.length, async (client, i) => {
        await client.request(CompleteLease, { id: leases[i]! });
        bar.update(round * perRound * 2 + perRound + ++done);
      });
      const completed = await snapshot(server);
      claims = add(claims, spentBetween(start, claimed, leases.length));
      completes = add(completes, spentBetween(claimed, completed, leases.length));
    }
    bar.finish();
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const per = (spent: Spent) => ({
    server: round((spent.serverMs * 1000) / spent.requests),
    databaseBackends: round((spent.backendsMs * 1000) / spent.requests),
    allPostgres: round((spent.postgresMs * 1000) / spent.requests),
  });
  return { transport, claims: roundSpent(claims), completes: roundSpent(completes), perClaimUs: per(claims), perCompleteUs: per(completes) };
}

const roundSpent = (spent: Spent): Spent => ({
  requests: spent.requests,
  seconds: round(spent.seconds),
  serverMs: round(spent.serverMs),
  backendsMs: round(spent.backendsMs),
  postgresMs: round(spent.postgresMs),
});

/** The server's own CPU while nothing is asked of it (its sweeper, its timers), per second. */
async function idleCpuMsPerSecond(server: BenchServer, seconds: number): Promise<number> {
  const before: CpuSnapshot = await cpuSnapshot([server.pid]);
  await sleep(seconds * 1000);
  return cpuSpentMs(before, await cpuSnapshot([server.pid])) / seconds;
}

export async function runCost(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const rounds = context.quick ? 2 : 5;
  const perRound = context.quick ? 500 : 1_000;
  const [preload] = await adminQuery<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
  const statementsExtension = preload?.shared_preload_libraries.includes('pg_stat_statements')
    ? 'loaded (not used: it times statements, it does not count CPU)'
    : `not loaded (shared_preload_libraries: "${preload?.shared_preload_libraries ?? ''}")`;
  const server = await startBenchServer('postgres');
  const results: TransportResult[] = [];
  let idleMsPerSecond: number;
  try {
    const client = new GraphQLClient({ url: server.url, headers: server.headers });
    const pool = `cost-${randomBytes(3).toString('hex')}`;
    for (let i = 0; i < consumersInPool; i++) await client.request(RegisterConsumer, { input: { id: `${pool}-${i}`, pool, capacity: capacityEach } });
    await client.close();
    idleMsPerSecond = await idleCpuMsPerSecond(server, 3);
    for (const transport of transports) results.push(await measureTransport(server, pool, transport, rounds, perRound));
  } finally {
    await server.stop();
  }

  context.log(`\nCost per request: CPU (utime + stime from /proc) over ${rounds} rounds of ${perRound} claims, then their completes, ${concurrency} at a time; PostgreSQL`);
  context.log(
    table([
      ['transport', 'request', 'per second', 'server CPU', 'db backends CPU', 'all postgres CPU'],
      ...results.flatMap((r) => [
        [r.transport, 'claimFreeConsumer', round(r.claims.requests / r.claims.seconds), us(r.perClaimUs.server), us(r.perClaimUs.databaseBackends), us(r.perClaimUs.allPostgres)],
        [r.transport, 'completeLease', round(r.completes.requests / r.completes.seconds), us(r.perCompleteUs.server), us(r.perCompleteUs.databaseBackends), us(r.perCompleteUs.allPostgres)],
      ]),
    ]),
  );
  context.log(`  the server idle: ${round(idleMsPerSecond)} ms of CPU a second (its sweeper and timers; included above). pg_stat_statements: ${statementsExtension}.`);
  context.log('  "all postgres" is every postgres process on the machine, so it includes whatever else uses this PostgreSQL server; "db backends" only the connections to the bench database.');

  const headline: HeadlineRow[] = results.map((r) => {
    const worstServer = Math.max(r.perClaimUs.server, r.perCompleteUs.server);
    const worstPostgres = Math.max(r.perClaimUs.allPostgres, r.perCompleteUs.allPostgres);
    return {
      metric: `CPU per request over ${transportLabel[r.transport]}, concurrency ${concurrency}, PostgreSQL: server per claim / per complete; PostgreSQL per claim / per complete (its bench database's backends)`,
      value: `${us(r.perClaimUs.server)} / ${us(r.perCompleteUs.server)}; ${us(r.perClaimUs.allPostgres)} / ${us(r.perCompleteUs.allPostgres)} (${us(r.perClaimUs.databaseBackends)} / ${us(r.perCompleteUs.databaseBackends)})`,
      goal: `≤ ${goalUs} µs each`,
      status: verdict(worstServer <= goalUs && worstPostgres <= goalUs),
    };
  });
  logVerdicts(context, headline);

  const svg = barChart({
    title: 'Cost per request: CPU time per claim and per complete',
    subtitle: `${concurrency} at a time, PostgreSQL · ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}`,
    unit: 'µs',
    groups: results.flatMap((r) => [
      {
        label: `${transportLabel[r.transport]}: claimFreeConsumer`,
        bars: [
          { label: 'server', value: r.perClaimUs.server, color: palette[0] },
          { label: 'all postgres', value: r.perClaimUs.allPostgres, color: palette[2] },
        ],
      },
      {
        label: `${transportLabel[r.transport]}: completeLease`,
        bars: [
          { label: 'server', value: r.perCompleteUs.server, color: palette[0] },
          { label: 'all postgres', value: r.perCompleteUs.allPostgres, color: palette[2] },
        ],
      },
    ]),
    markers: [{ value: goalUs, label: 'goal', color: goalColor }],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'cost',
    title: 'Cost per request: server and PostgreSQL CPU per claim and per complete',
    parameters: { concurrency, rounds, perRound, consumersInPool, capacityEach, goalUs, cpuSource: '/proc/<pid>/stat utime + stime', pgStatStatements: statementsExtension },
    headline,
    results: { idleServerCpuMsPerSecond: round(idleMsPerSecond), transports: results },
  });
}
