// The machine and software a run measured, recorded in every result file.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { adminQuery, postgresAutovacuum } from './infra.js';

export interface Machine {
  os: string;
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  /** 'off' here: bench/lib/infra.ts then stands in for it (see autovacuumStandIn). */
  postgresAutovacuum: string;
  kafka: string;
  packages: Record<string, string>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const packages = ['graphql-yoga', 'graphql-ws', 'kafkajs', 'prisma', '@prisma/client', '@electric-sql/pglite', 'graphile-worker', 'pg', 'amqplib'];

async function installedVersion(name: string): Promise<string> {
  const text = await readFile(`${root}node_modules/${name}/package.json`, 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { version?: string }).version ?? 'not installed';
}

export async function describeMachine(kafkaVersion: string): Promise<Machine> {
  const [row] = await adminQuery<{ server_version: string }>('SHOW server_version').catch(() => []);
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: row?.server_version ?? 'unreachable',
    postgresAutovacuum: await postgresAutovacuum().catch(() => 'unknown'),
    kafka: kafkaVersion,
    packages: Object.fromEntries(await Promise.all(packages.map(async (name) => [name, await installedVersion(name)] as const))),
  };
}

/** One line for tables and charts: "2 × Intel Xeon …, 24 GiB, Node v20…, PostgreSQL 15.20, Kafka 3.9.1". */
export const machineLine = (machine: Machine) =>
  `${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}, Kafka ${machine.kafka.split(' (')[0]}`;

/** The 1, 5 and 15-minute load averages, rounded: printed and recorded at the start and end of every scenario. */
export const loadAverage = (): number[] => os.loadavg().map((load) => Number(load.toFixed(2)));

/** "1.46 / 1.70 / 1.14 (1, 5, 15 min) on 2 cores". */
export const loadAverageLine = (load: readonly number[]) => `${load.join(' / ')} (1, 5, 15 min) on ${os.cpus().length} cores`;
