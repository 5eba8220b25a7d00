// CPU time of processes, from /proc (Linux): what a request costs the server and PostgreSQL, counted
// in CPU rather than wall time, so a loaded machine slows a window down without making it look dearer.
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { adminQuery } from './infra.js';

/** utime and stime in /proc/<pid>/stat count clock ticks: usually 100 a second (10 ms). */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100; // no getconf: Linux's USER_HZ is 100 on every architecture Node runs on
  }
})();

/**
 * User + system CPU of a process (all its threads) so far, in ms; NaN once it is gone. Fields 14 and 15
 * of /proc/<pid>/stat, counted after the command name's closing parenthesis (a name may hold spaces).
 */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return stat ? (ticks / ticksPerSecond) * 1000 : Number.NaN;
}

/** CPU so far of each of a set of processes (pid → ms), those that are still running. */
export type CpuSnapshot = Map<number, number>;

export async function cpuSnapshot(pids: readonly number[]): Promise<CpuSnapshot> {
  const each = await Promise.all(pids.map(async (pid) => [pid, await processCpuMs(pid)] as const));
  return new Map(each.filter(([, value]) => Number.isFinite(value)));
}

/**
 * CPU spent between two snapshots, in ms, by the processes in both: one that started or ended in
 * between (another client's backend) is left out rather than counted from zero or lost.
 */
export function cpuSpentMs(before: CpuSnapshot, after: CpuSnapshot): number {
  let spent = 0;
  for (const [pid, then] of before) {
    const now = after.get(pid);
    if (now !== undefined) spent += now - then;
  }
  return spent;
}

/** Every process named `postgres` on this machine: the server, its background workers and every backend. */
export async function postgresPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') pids.push(Number(entry));
  }
  return pids;
}

/**
 * The backends serving one database (pg_stat_activity): on a PostgreSQL server shared with other work
 * they are what this benchmark's requests cost, where the sum over every postgres process is not.
 */
export async function databaseBackendPids(databaseName: string): Promise<number[]> {
  const rows = await adminQuery<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = '${databaseName}'`);
  return rows.map((row) => row.pid);
}
