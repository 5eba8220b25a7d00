// What the benchmarks run on: fresh PostgreSQL databases, the Kafka broker, and Handoff servers in
// child processes (the way `npm start` runs them), each on its own database.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { type KafkaBroker, kafkaVersion, startKafkaBroker } from '../../scripts/kafka/broker.js';
import { buildServer, startServerProcess } from '../../scripts/serverProcess.js';

export const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type Backend = 'pglite' | 'postgres';
export const backendLabel: Record<Backend, string> = { pglite: 'PGlite (embedded)', postgres: 'PostgreSQL' };

/** How a client sends its queries and mutations: HTTP, or the graphql-ws WebSocket (the SDK's default). */
export const transports = ['http', 'websocket'] as const;
export type Transport = (typeof transports)[number];
export const transportLabel: Record<Transport, string> = { http: 'HTTP', websocket: 'WebSocket' };

/** Runs one statement on the server's maintenance database (CREATE / DROP DATABASE, version). */
export async function adminQuery<R extends pg.QueryResultRow>(sql: string, url = postgresAdminUrl): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new database `handoff_bench_<random>` on the PostgreSQL server; drop() removes it. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `handoff_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(postgresAdminUrl), { pathname: `/${name}` }).toString();
  return { name, url, drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/** Transactions the database has finished (commits + rollbacks), from pg_stat_database. */
export async function transactionCount(databaseName: string): Promise<number> {
  const [row] = await adminQuery<{ total: string }>(
    `SELECT xact_commit + xact_rollback AS total FROM pg_stat_database WHERE datname = '${databaseName}'`,
  );
  return Number(row?.total ?? Number.NaN);
}

export interface Kafka {
  brokers: string;
  /** Where the version came from is part of it: started here, or found running. */
  version: string;
  stop(): Promise<void>;
}

/** KAFKA_BROKERS when set; otherwise the project's own broker (scripts/kafka), started for the run. */
export async function openKafka(scratch: string, log: (line: string) => void): Promise<Kafka> {
  const external = process.env.KAFKA_BROKERS;
  if (external) return { brokers: external, version: `${await runningKafkaVersion(external)} (KAFKA_BROKERS=${external})`, stop: async () => {} };
  const broker: KafkaBroker = await startKafkaBroker({ dataDir: path.join(scratch, 'kafka'), removeOnStop: true, log });
  return { brokers: broker.brokers, version: `${kafkaVersion} (started for the run)`, stop: () => broker.stop() };
}

/**
 * The release of the broker at `brokers`, when it runs on this machine (best effort, from /proc): of the
 * kafka.Kafka processes, the one whose properties file (its last argument) listens on one of those
 * ports, else the first; its version from a jar name on its command line or in its class-path folder.
 * Several brokers may run here at once (other test runs), so the port matters: the share-group peer
 * builds its client for this version and skips a broker older than 4.2.
 */
async function runningKafkaVersion(brokers: string): Promise<string> {
  const ports = brokers.split(',').map((address) => address.trim().split(':').at(-1));
  let firstVersion: string | undefined;
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    if (!args.includes('kafka.Kafka')) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '/');
    const version = await kafkaVersionOf(args, cwd);
    const properties = await readFile(path.resolve(cwd, args.at(-1) ?? ''), 'utf8').catch(() => '');
    const listeners = /^listeners=(.*)$/m.exec(properties)?.[1] ?? '';
    if (version && ports.some((port) => port && listeners.includes(`:${port}`))) return version;
    firstVersion ??= version;
  }
  return firstVersion ?? 'unknown';
}

/** A release number from a Kafka jar named on the command line, or found in the `-cp` folder. */
async function kafkaVersionOf(args: string[], cwd: string): Promise<string | undefined> {
  const jarVersion = (text: string) => /kafka(?:_2\.1[23])?[-_/](\d+\.\d+\.\d+)/.exec(text)?.[1] ?? /kafka-clients-(\d+\.\d+\.\d+)\.jar/.exec(text)?.[1];
  const named = jarVersion(args.join(' '));
  if (named) return named;
  const classpath = args[args.indexOf('-cp') + 1] ?? '';
  for (const entry of classpath.split(':').filter((item) => item.endsWith('/*') || item === '*')) {
    const folder = path.resolve(cwd, entry.slice(0, -1) || '.');
    const found = (await readdir(folder).catch(() => [] as string[])).map(jarVersion).find(Boolean);
    if (found) return found;
  }
  return undefined;
}

export interface BenchServer {
  backend: Backend;
  url: string;
  pid: number;
  headers: Record<string, string>;
  /** The PostgreSQL database it runs on (undefined on PGlite). */
  databaseName: string | undefined;
  /** The bench analyzes its database every few seconds, standing in for autovacuum (off on this server). */
  analyzedByBench: boolean;
  /**
   * A full garbage collection in the server process, through its inspector (started with
   * `{ inspector: true }` only): memory figures then count what the server holds, not garbage a lazy
   * collector has left lying.
   */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

/** How often the autovacuum stand-in analyzes a bench database. */
export const standInAnalyzeMs = 5_000;

let autovacuumSetting: Promise<string> | undefined;
/** The PostgreSQL server's `autovacuum` setting ('on' / 'off'), asked once. */
export const postgresAutovacuum = (): Promise<string> =>
  (autovacuumSetting ??= adminQuery<{ autovacuum: string }>('SHOW autovacuum').then(([row]) => row?.autovacuum ?? 'unknown'));

/**
 * On a PostgreSQL server with autovacuum off, nothing ever gives the planner statistics of a table a
 * run fills in seconds (100,000 jobs), and it plans every statement as if the table were empty: the
 * next job is then found by sorting every pending one. Autovacuum analyzes such a table within its
 * naptime (1 min by default); this stand-in analyzes the bench database every few seconds instead, so
 * a run measures Handoff on PostgreSQL as it is deployed. PGlite has no autovacuum at all, and its
 * database cannot be reached from here: its rows run as they are.
 */
function autovacuumStandIn(url: string): () => void {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    // One at a time; a failure (the database being dropped at the end) is the end of the run, not an error.
    running ??= adminQuery('ANALYZE', url)
      .catch(() => undefined)
      .finally(() => (running = undefined));
  }, standInAnalyzeMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * A Handoff server process on a fresh database. Benchmark settings: no per-key mutation limit (it
 * would cap throughput, not measure it), consumers never go OFFLINE for silence during a run, and a
 * short shutdown grace.
 */
export async function startBenchServer(backend: Backend, options: { kafkaBrokers?: string; inspector?: boolean } = {}): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-bench-'));
  const database = backend === 'postgres' ? await createBenchDatabase() : undefined;
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const analyzedByBench = database !== undefined && (await postgresAutovacuum()) === 'off';
  // The server as deployed (the Docker image): compiled, run by plain node, not through tsx.
  await buildServer();
  const server = await startServerProcess(
    { databaseUrl: database?.url, dataDir },
    {
      HANDOFF_ADMIN_TOKEN: token,
      HANDOFF_LOG_LEVEL: 'info', // the start line carries the URL
      HANDOFF_MUTATIONS_PER_SECOND: '1000000',
      HANDOFF_MUTATION_BURST: '1000000',
      HANDOFF_HEARTBEAT_TTL_MS: '3600000',
      HANDOFF_SHUTDOWN_GRACE_MS: '1000',
      HANDOFF_DB_POOL_SIZE: '10',
      ...(options.kafkaBrokers && { KAFKA_BROKERS: options.kafkaBrokers }),
      // Port 0: the inspector picks a free one and prints its URL, which collectGarbage() reads.
      ...(options.inspector && { NODE_OPTIONS: '--inspect=127.0.0.1:0' }),
    },
    { compiled: true },
  ).catch(async (error: unknown) => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const stopStandIn = analyzedByBench && database ? autovacuumStandIn(database.url) : () => {};
  return {
    backend,
    url: server.url,
    pid: server.child.pid ?? -1,
    headers: { authorization: `Bearer ${token}` },
    databaseName: database?.name,
    analyzedByBench,
    async collectGarbage() {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(server.output())?.[1];
      if (!url) throw new Error('collectGarbage needs a server started with { inspector: true }');
      await inspectorCall(url, 'HeapProfiler.collectGarbage');
    },
    async stop() {
      stopStandIn();
      await server.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One call of the Chrome DevTools protocol on a Node inspector's WebSocket; resolves with its answer. */
async function inspectorCall(url: string, method: string): Promise<void> {
  const socket = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the inspector within 60 s`)), 60_000);
      socket.on('message', (data: WebSocket.RawData) => {
        const answer = JSON.parse(data.toString()) as { id?: number; error?: { message: string } };
        if (answer.id !== 1) return; // an event, not our answer
        clearTimeout(timer);
        if (answer.error) reject(new Error(`${method}: ${answer.error.message}`));
        else resolve();
      });
      socket.send(JSON.stringify({ id: 1, method }));
    });
  } finally {
    socket.close();
  }
}

/**
 * Resident memory once it has settled: the least of samples every 250 ms over `windowMs`. A Node
 * process's RSS swings with its garbage collector (and PGlite's with its WebAssembly heap), so one
 * sample could land on a peak of garbage not yet collected.
 */
export async function settledRssMiB(pid: number, windowMs: number): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (const end = Date.now() + windowMs; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 250))) least = Math.min(least, await rssMiB(pid));
  return least;
}

/** Resident memory of a process, from /proc (Linux), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
