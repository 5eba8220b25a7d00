// Python for the Python examples' test: Debian's /usr/bin/python3 with python3-kafka, python3-websockets and
// python3-requests (a pyenv python3 earlier on PATH has none of them). CI installs and requires them;
// elsewhere the test is skipped with one line.
import { spawnSync } from 'node:child_process';

export const python = '/usr/bin/python3';

const packages = 'python3-kafka python3-websockets python3-requests';

/** True when `what` can run; throws when Python is required (CI) and the packages are missing. */
export function pythonTestsRun(what: string): boolean {
  const check = spawnSync(python, ['-c', 'import kafka, websockets, requests'], { encoding: 'utf8' });
  if (check.status === 0) return true;
  const why = check.error ? `${python} cannot run (${check.error.message})` : `${python} lacks a package (${check.stderr.trim().split('\n').at(-1)})`;
  if (process.env.CI === 'true' || process.env.HANDOFF_REQUIRE_PYTHON === '1') throw new Error(`${why}: apt-get install -y ${packages}`);
  console.warn(`skipping ${what}: ${why} (apt-get install -y ${packages} to run it)`);
  return false;
}
