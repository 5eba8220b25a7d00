// CPU burners beside a run (`npm run soak -- --stress N`): N processes that spin until stopped, so the
// machine is overloaded the way a busy host, a noisy neighbour or a CI runner leaves it. Each is
// bounded on its own — it stops at its deadline, and as soon as its parent is gone — so none outlives
// the run even when the run is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';

export interface Stress {
  /** How many burners run. */
  readonly processes: number;
  /** The highest 1-minute load average seen since the start (sampled every 2 s). */
  readonly peakLoad: number;
  /** The 1-minute load average now. */
  load(): number;
  /** Stops every burner and waits for them to exit. */
  stop(): Promise<void>;
}

/**
 * The burner's program: spin, and every few million turns check the deadline and the parent (a
 * reparented process has another ppid), so a killed run leaves no burner behind.
 */
const burner = `
const [deadline, parent] = process.argv.slice(1).map(Number);
for (let turn = 0; ; turn++) {
  if (turn % 5e6 === 0 && (Date.now() > deadline || process.ppid !== parent)) process.exit(0);
}`;

/** Starts `count` burners, each stopping by itself after `maxMs` at the latest. */
export function startStress(count: number, maxMs: number): Stress {
  const deadline = Date.now() + maxMs;
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    children.push(spawn(process.execPath, ['-e', burner, String(deadline), String(process.pid)], { stdio: 'ignore' }));
  }
  let peakLoad = os.loadavg()[0] ?? 0;
  const sampler = setInterval(() => (peakLoad = Math.max(peakLoad, os.loadavg()[0] ?? 0)), 2_000);
  sampler.unref();
  return {
    processes: count,
    get peakLoad() {
      return Math.max(peakLoad, os.loadavg()[0] ?? 0);
    },
    load: () => os.loadavg()[0] ?? 0,
    async stop() {
      clearInterval(sampler);
      peakLoad = Math.max(peakLoad, os.loadavg()[0] ?? 0);
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
