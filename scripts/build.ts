// `npm run build`: compiles src/ to dist/ (tsconfig.build.json) and copies the dashboard's static
// files beside its compiled server. `-- --out-dir <dir>` writes elsewhere — a directory one level
// below the project, as dist/ is, since the compiled code finds prisma/ and schema.graphql at ../..
// (tests and benchmarks build there, so a `handoff` command reading dist/ never sees a half-written build).
import { execFile } from 'node:child_process';
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
const outDir = path.resolve(root, values['out-dir']);
if (path.dirname(outDir) !== path.resolve(root)) throw new Error(`--out-dir must be a directory directly in the project (got ${outDir})`);

await promisify(execFile)(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root });
const dashboard = path.join(root, 'src/dashboard');
const assets = (await readdir(dashboard)).filter((name) => /\.(html|js|css)$/.test(name));
await mkdir(path.join(outDir, 'dashboard'), { recursive: true });
for (const name of assets) await cp(path.join(dashboard, name), path.join(outDir, 'dashboard', name));
