// A Handoff server in a child process, started the way `npm start` starts it (tests), or compiled, the
// way the Docker image runs it (the benchmarks, the image's test).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, and wait for the exit code. */
  stop(): Promise<number | null>;
  /** Everything it logged. */
  output(): string;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where tests and benchmarks build the server (`npm run build -- --out-dir`): not dist/, which the
 * `handoff` command runs when present, so a build in progress never meets a command starting.
 */
const compiledDir = path.join(root, '.compiled');
/** The compiled server's entry (the image runs the same from dist/main.js). */
const compiledEntry = path.join(compiledDir, 'main.js');

let built: Promise<void> | undefined;
/** Compiles the server (`npm run build`) once per process: what `compiled` runs is this source. */
export function buildServer(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'build', '--', '--out-dir', path.basename(compiledDir)], { cwd: root }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run build failed:\n${stdout}${stderr}`, { cause: error }));
      else resolve();
    });
  });
  return built;
}

/**
 * `compiled`: run the compiled server (buildServer) with plain node, as deployed (the Docker image), instead of the
 * source through tsx, as `npm start` does — tsx's loader and its transpiled sources cost the process
 * ~110 MiB of memory, which a benchmark of the deployed server must not count.
 */
export async function startServerProcess(
  database: { databaseUrl: string | undefined; dataDir: string },
  env: Record<string, string> = {},
  { compiled = false }: { compiled?: boolean } = {},
): Promise<ServerProcess> {
  if (compiled && !existsSync(compiledEntry)) throw new Error(`${compiledEntry} is missing: call buildServer() first`);
  const child = spawn(process.execPath, compiled ? [compiledEntry] : ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      HANDOFF_HOST: '127.0.0.1',
      HANDOFF_DATA_DIR: database.dataDir,
      ...(database.databaseUrl && { DATABASE_URL: database.databaseUrl }),
      HANDOFF_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${output}`)), 60_000);
    const onData = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    output: () => output,
  };
}
