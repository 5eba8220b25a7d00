// Starts test/support/workerProcess.ts (a HandoffConsumer in a process of its own, for tests that kill
// or pause it) and keeps everything it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { adminToken } from './harness.js';
import { kafkaBrokers } from './kafka.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Worker {
  child: ChildProcess;
  output(): string;
  /** A line it printed starts with `line`. */
  printed(line: string): boolean;
}

/** The worker on these Handoff URLs; by default its lease extension and job length are the SDK's and a minute. */
export function startWorker(urls: string[], id: string, pool: string, options: { leaseExtensionMs?: number; jobMs?: number } = {}): Worker {
  const extra = options.leaseExtensionMs === undefined ? [] : [String(options.leaseExtensionMs), String(options.jobMs ?? 60_000)];
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/workerProcess.ts', urls.join(','), id, pool, kafkaBrokers, adminToken, ...extra], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, printed: (line: string) => output.split('\n').some((printed) => printed.startsWith(line)) };
}
