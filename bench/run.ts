// `npm run bench`: the benchmark suite (bench/README.md). `npm run bench -- --quick` runs the same
// code paths with fewer jobs and shorter windows; `--only makespan,latency` runs some scenarios;
// `--variants rabbitmq,sharegroup` runs only some of the makespan scenario's ways (its results then go
// to .cache/bench-partial/ unless --out says where, so they never replace a whole run's).
// Tables go to stdout, progress to stderr, results to bench/results/<scenario>.json and .svg.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openKafka } from './lib/infra.js';
import { describeMachine, machineLine } from './lib/machine.js';
import type { RunContext, ScenarioResult } from './lib/report.js';
import { runLatency } from './scenarios/latency.js';
import { runMakespan } from './scenarios/makespan.js';
import { runReference } from './scenarios/reference.js';
import { runThroughput } from './scenarios/throughput.js';

const scenarios: Record<string, (context: RunContext) => Promise<ScenarioResult>> = {
  makespan: runMakespan,
  latency: runLatency,
  throughput: runThroughput,
  reference: runReference,
};

const defaultResultsDir = fileURLToPath(new URL('results', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: Object.keys(scenarios).join(',') },
    out: { type: 'string' },
    variants: { type: 'string' },
  },
});
const variants = args.variants?.split(',').map((name) => name.trim()).filter(Boolean);
const partialResultsDir = fileURLToPath(new URL('../.cache/bench-partial', import.meta.url));
const resultsDir = args.out ?? (variants ? partialResultsDir : defaultResultsDir);
const selected = args.only.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of selected) if (!scenarios[name]) throw new Error(`unknown scenario "${name}"; choose from ${Object.keys(scenarios).join(', ')}`);

const scratch = await mkdtemp(path.join(os.tmpdir(), 'handoff-bench-'));
const log = (line: string) => console.log(line);
// Only the makespan scenario uses Kafka, and of its ways all but RabbitMQ.
const needsKafka = selected.includes('makespan') && (!variants || variants.some((variant) => variant !== 'rabbitmq'));
const kafka = needsKafka ? await openKafka(scratch, (line) => process.stderr.write(`${line}\n`)) : undefined;
const machine = await describeMachine(kafka?.version ?? 'not used by this run');
const context: RunContext = { quick: args.quick, machine, kafkaBrokers: kafka?.brokers ?? '', resultsDir, log, ...(variants && { variants }) };
log(`Handoff benchmarks${args.quick ? ' (--quick)' : ''}: ${selected.join(', ')}${variants ? ` (variants: ${variants.join(', ')})` : ''}\n${machineLine(machine)}`);

const started = Date.now();
let failed = false;
try {
  for (const name of selected) {
    try {
      await scenarios[name]!(context);
    } catch (error) {
      failed = true;
      console.error(`\nscenario ${name} failed:`, error);
    }
  }
} finally {
  await kafka?.stop();
  await rm(scratch, { recursive: true, force: true });
}
await writeHeadline(resultsDir);
log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), resultsDir)}/`);
process.exit(failed ? 1 : 0);

/** The result files in `dir`, in scenario order (this run's, and earlier runs' for scenarios not run now). */
async function readResults(dir: string): Promise<(ScenarioResult & { loadAverageAtEnd?: number[] })[]> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const results = [];
  for (const name of Object.keys(scenarios)) {
    if (files.includes(`${name}.json`)) results.push(JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as ScenarioResult);
  }
  return results;
}

function headlineRows(results: ScenarioResult[]): string[] {
  return [
    '| Measured | Result | Goal | |',
    '| --- | --- | --- | --- |',
    ...results.flatMap((result) => result.headline.map((row) => `| ${row.metric} | ${row.value} | ${row.goal} | ${row.status === 'missed' ? '**missed**' : row.status} |`)),
  ];
}

/**
 * bench/results/headline.md (for the top-level README) and the Results and Machine sections of
 * bench/README.md, from the result files.
 */
async function writeHeadline(dir: string): Promise<void> {
  const results = await readResults(dir);
  if (results.length === 0) return;
  const first = results[0]!;
  const modes = [...new Set(results.map((result) => (result.quick ? '`npm run bench -- --quick`' : '`npm run bench`')))].join(' and ');
  // Scenarios rerun alone (`--only`) keep the other scenarios' older results: when those came from
  // another day or machine, say which scenario was measured where rather than credit one machine with all.
  const where = (result: ScenarioResult) => `${result.startedAt.slice(0, 10)}: ${machineLine(result.machine)}, ${result.machine.os}`;
  const places = [...new Set(results.map(where))];
  const measured =
    places.length === 1
      ? `Measured by ${modes} on ${places[0]}.`
      : `Measured by ${modes}: ${places.map((place) => `${results.filter((result) => where(result) === place).map((result) => result.scenario).join(', ')} on ${place}`).join('; ')}.`;
  const hasMakespan = results.some((result) => result.scenario === 'makespan');
  await writeFile(
    path.join(dir, 'headline.md'),
    [
      ...headlineRows(results),
      '',
      hasMakespan ? '![Makespan: Handoff against a Kafka consumer group, polling, RabbitMQ and a Kafka share group](bench/results/makespan.svg)\n' : '',
      `${measured} How each figure is measured, and why a goal is missed where it is: [bench/README.md](bench/README.md).`,
      '',
    ].join('\n'),
  );

  // bench/README.md shows the committed results only, not those of a run written elsewhere (--out).
  if (path.resolve(dir) !== defaultResultsDir) return;
  const readmePath = fileURLToPath(new URL('README.md', import.meta.url));
  let readme = await readFile(readmePath, 'utf8').catch(() => '');
  if (!readme) return;
  const section = (name: string, body: string) => {
    readme = readme.replace(new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`), `$1\n${body}\n$2`);
  };
  section(
    'results',
    [
      measured,
      '',
      ...headlineRows(results),
      '',
      ...results.map((result) => `![${result.title}](results/${result.scenario}.svg)`),
      '',
      'Every figure, per consumer and per window, is in `results/<scenario>.json`.',
    ].join('\n'),
  );
  const { machine } = first;
  section(
    'machine',
    [
      `- CPU: ${machine.cpuCount} × ${machine.cpuModel}`,
      `- Memory: ${machine.memoryGiB} GiB`,
      `- OS: ${machine.os}`,
      `- Node ${machine.node}; PostgreSQL ${machine.postgres}; Kafka ${machine.kafka}`,
      `- Packages: ${Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(', ')}`,
      `- Load average (1, 5, 15 min) at the end of each scenario: ${results.map((result) => `${result.scenario} ${(result.loadAverageAtEnd ?? []).join(' / ')}`).join('; ')}`,
    ].join('\n'),
  );
  await writeFile(readmePath, readme);
}
