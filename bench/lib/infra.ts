// What the benchmarks run on: fresh PostgreSQL databases, the Kafka broker, and Handoff servers in
// child processes (the way `npm start` runs them), each on its own database.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type KafkaBroker, kafkaVersion, startKafkaBroker } from '../../scripts/kafka/broker.js';
import { startServerProcess } from '../../scripts/serverProcess.js';

export const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type Backend = 'pglite' | 'postgres';
export const backendLabel: Record<Backend, string> = { pglite: 'PGlite (embedded)', postgres: 'PostgreSQL' };

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
  stop(): Promise<void>;
}

/**
 * A Handoff server process on a fresh database. Benchmark settings: no per-key mutation limit (it
 * would cap throughput, not measure it), consumers never go OFFLINE for silence during a run, and a
 * short shutdown grace.
 */
export async function startBenchServer(backend: Backend, options: { kafkaBrokers?: string } = {}): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-bench-'));
  const database = backend === 'postgres' ? await createBenchDatabase() : undefined;
  const token = `bench-${randomBytes(16).toString('hex')}`;
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
    },
  ).catch(async (error: unknown) => {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    backend,
    url: server.url,
    pid: server.child.pid ?? -1,
    headers: { authorization: `Bearer ${token}` },
    databaseName: database?.name,
    async stop() {
      await server.stop();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process, from /proc (Linux), in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
