// What the benchmarks run on: fresh PostgreSQL databases, the Kafka broker, and Handoff servers in
// child processes (the way `npm start` runs them), each on its own database.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
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
  if (external) return { brokers: external, version: `${await runningKafkaVersion()} (KAFKA_BROKERS=${external})`, stop: async () => {} };
  const broker: KafkaBroker = await startKafkaBroker({ dataDir: path.join(scratch, 'kafka'), removeOnStop: true, log });
  return { brokers: broker.brokers, version: `${kafkaVersion} (started for the run)`, stop: () => broker.stop() };
}

/** The version in the jar name of a broker running on this machine, if there is one (best effort). */
async function runningKafkaVersion(): Promise<string> {
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!commandLine.includes('kafka.Kafka')) continue;
    const match = /kafka[/_](?:2\.1[23]-)?(\d+\.\d+\.\d+)/.exec(commandLine);
    if (match?.[1]) return match[1];
  }
  return 'unknown';
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
