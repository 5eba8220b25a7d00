// Runs the `handoff` command as a user does (node bin/handoff.js, its own process).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const handoffBin = fileURLToPath(new URL('../../bin/handoff.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (the server under test shares this event loop), with HANDOFF_URL and HANDOFF_TOKEN cleared unless given. */
export function runHandoff(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [handoffBin, ...args], { env: { ...process.env, HANDOFF_URL: '', HANDOFF_TOKEN: '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}
