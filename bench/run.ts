// `npm run bench`: the benchmark suite (bench/README.md). `npm run bench -- --quick` runs the same
// code paths with fewer jobs and shorter windows; `--only makespan,latency` runs some scenarios;
// `--variants rabbitmq,sharegroup` runs only some of the makespan scenario's ways (its results then go
// to .cache/bench-partial/ unless --out says where, so they never replace a whole run's).
// Tables go to stdout, progress to stderr, results to bench/results/<scenario>.json and .svg.
// graphile-worker (the reference scenario) runs first: the scenarios whose goals compare with it
// compare with its figures from the same run.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openKafka } from './lib/infra.js';
import { describeMachine, loadAverage, loadAverageLine, machineLine } from './lib/machine.js';
import type { RunContext, ScenarioResult } from './lib/report.js';
import { runBacklog } from './scenarios/backlog.js';
import { runCost } from './scenarios/cost.js';
import { runFairness } from './scenarios/fairness.js';
import { runLatency } from './scenarios/latency.js';
import { runMakespan } from './scenarios/makespan.js';
import { runReference } from './scenarios/reference.js';
import { runThroughput } from './scenarios/throughput.js';

/** In the order of the headline; they run in `runOrder`. */
const scenarios: Record<string, (context: RunContext) => Promise<ScenarioResult>> = {
  makespan: runMakespan,
  latency: runLatency,
  throughput: runThroughput,
  backlog: runBacklog,
  fairness: runFairness,
  cost: runCost,
  reference: runReference,
};
/** Scenarios whose goals compare with graphile-worker's figures of the same run. */
const comparedWithReference = ['latency', 'throughput', 'backlog'];
const runOrder = ['reference', ...Object.keys(scenarios).filter((name) => name !== 'reference')];
/** Scenarios that need a Kafka broker (the makespan scenario's RabbitMQ rows alone do not). */
const usesKafka = ['makespan', 'backlog', 'fairness'];

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
const asked = args.only.split(',').map((name) => name.trim()).filter(Boolean);
for (const name of asked) if (!scenarios[name]) throw new Error(`unknown scenario "${name}"; choose from ${Object.keys(scenarios).join(', ')}`);
// A goal against graphile-worker needs its figures from this run: the reference scenario joins in.
const withReference = asked.some((name) => comparedWithReference.includes(name)) && !asked.includes('reference');
const selected = runOrder.filter((name) => asked.includes(name) || (name === 'reference' && withReference));

const scratch = await mkdtemp(path.join(os.tmpdir(), 'handoff-bench-'));
const log = (line: string) => console.log(line);
const needsKafka = selected.some((name) => usesKafka.includes(name) && (name !== 'makespan' || !variants || variants.some((variant) => variant !== 'rabbitmq')));
const kafka = needsKafka ? await openKafka(scratch, (line) => process.stderr.write(`${line}\n`)) : undefined;
const machine = await describeMachine(kafka?.version ?? 'not used by this run');
const context: RunContext = { quick: args.quick, machine, kafkaBrokers: kafka?.brokers ?? '', resultsDir, log, runStartedAt: new Date(), ...(variants && { variants }) };
log(`Handoff benchmarks${args.quick ? ' (--quick)' : ''}: ${selected.join(', ')}${variants ? ` (variants: ${variants.join(', ')})` : ''}\n${machineLine(machine)}`);
if (withReference) log('(reference runs too: the goals against graphile-worker compare with its figures from this run)');

const started = Date.now();
let failed = false;
try {
  for (const name of selected) {
    // The machine is shared: how loaded it was says how far to trust the scenario's figures.
    const loadAverageAtStart = loadAverage();
    log(`\n[${name}] load average at start: ${loadAverageLine(loadAverageAtStart)}`);
    try {
      await scenarios[name]!({ ...context, loadAverageAtStart });
    } catch (error) {
      failed = true;
      console.error(`\nscenario ${name} failed:`, error);
    }
    log(`[${name}] load average at end: ${loadAverageLine(loadAverage())}`);
  }
} finally {
  await kafka?.stop();
  await rm(scratch, { recursive: true, force: true });
}
await writeHeadline(resultsDir);
log(`\nbench finished in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), resultsDir)}/`);
process.exit(failed ? 1 : 0);

/** The result files in `dir`, in scenario order (this run's, and earlier runs' for scenarios not run now). */
async function readResults(dir: string): Promise<(ScenarioResult & { loadAverageAtStart?: number[]; loadAverageAtEnd?: number[] })[]> {
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
  const headline = [
    ...headlineRows(results),
    '',
    hasMakespan ? '![Makespan: Handoff against a Kafka consumer group, polling, RabbitMQ and a Kafka share group](bench/results/makespan.svg)\n' : '',
    `${measured} How each figure is measured, and why a goal is missed where it is: [bench/README.md](bench/README.md).`,
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'headline.md'), headline);

  // The READMEs show the committed results only, not those of a run written elsewhere (--out).
  if (path.resolve(dir) !== defaultResultsDir) return;
  // The top-level README's Benchmarks section: the headline, between its markers.
  const topReadmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  const topReadme = await readFile(topReadmePath, 'utf8').catch(() => '');
  const marked = /(<!-- bench:start[^>]*-->\n)[\s\S]*?(\n<!-- bench:end -->)/;
  if (marked.test(topReadme)) await writeFile(topReadmePath, topReadme.replace(marked, (_, start: string, end: string) => `${start}${headline.trimEnd()}${end}`));
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
      `- Node ${machine.node}; PostgreSQL ${machine.postgres} (autovacuum ${machine.postgresAutovacuum ?? 'not recorded'}${machine.postgresAutovacuum === 'off' ? ': the bench analyzes its databases every 5 s instead, see bench/lib/infra.ts' : ''}); Kafka ${machine.kafka}`,
      `- Packages: ${Object.entries(machine.packages).map(([name, version]) => `${name} ${version}`).join(', ')}`,
      `- Load average (1, 5, 15 min) at the start → end of each scenario: ${results.map((result) => `${result.scenario} ${(result.loadAverageAtStart ?? ['?']).join(' / ')} → ${(result.loadAverageAtEnd ?? []).join(' / ')}`).join('; ')}`,
    ].join('\n'),
  );
  await writeFile(readmePath, readme);
}
