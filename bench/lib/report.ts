// What every scenario shares: the run's context, its tables on stdout, and its result files.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Machine, loadAverage } from './machine.js';

export interface RunContext {
  quick: boolean;
  machine: Machine;
  /** host:port,… of the Kafka broker the run uses. */
  kafkaBrokers: string;
  resultsDir: string;
  log: (line: string) => void;
  /** `--variants`: only these of a scenario's ways (the makespan scenario's group, handoff, submit, intake, polling, rabbitmq, sharegroup). */
  variants?: string[];
  /** When the whole run started: a result file older than this is another run's, never compared against. */
  runStartedAt: Date;
  /** The load average as this scenario started (run.ts sets it for each). */
  loadAverageAtStart?: number[];
}

/** One line of the headline table: what was measured against what was hoped for. */
export interface HeadlineRow {
  metric: string;
  value: string;
  goal: string;
  /** 'met' / 'missed' against the goal, or 'reference' when there is no goal. */
  status: 'met' | 'missed' | 'reference';
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  startedAt: string;
  seconds: number;
  quick: boolean;
  machine: Machine;
  parameters: Record<string, unknown>;
  headline: HeadlineRow[];
  results: unknown;
}

/** One line per headline row that has a goal: met, or MISSED. */
export function logVerdicts(context: RunContext, headline: HeadlineRow[]): void {
  for (const row of headline) {
    if (row.status !== 'reference') context.log(`${row.status === 'met' ? 'met   ' : 'MISSED'}  ${row.metric}: ${row.value} (goal ${row.goal})`);
  }
}

export const verdict = (met: boolean): 'met' | 'missed' => (met ? 'met' : 'missed');

/** A plain aligned table: the first row is the header. */
export function table(rows: (string | number)[][]): string {
  const text = rows.map((row) => row.map(String));
  const widths = text[0]!.map((_, column) => Math.max(...text.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(text[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}

/** What a scenario measured; the run adds when, how long, and on what. */
export type ScenarioFields = Omit<ScenarioResult, 'startedAt' | 'seconds' | 'quick' | 'machine'>;

/** Writes bench/results/<scenario>.json and <scenario>.svg, and returns the whole result. */
export async function writeResult(context: RunContext, startedAt: Date, svg: string, fields: ScenarioFields): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    scenario: fields.scenario,
    title: fields.title,
    startedAt: startedAt.toISOString(),
    seconds: Number(((Date.now() - startedAt.getTime()) / 1000).toFixed(1)),
    quick: context.quick,
    machine: context.machine,
    parameters: fields.parameters,
    headline: fields.headline,
    results: fields.results,
  };
  await mkdir(context.resultsDir, { recursive: true });
  // The machine is shared with whatever else runs on it: the load says how much it was.
  const recorded = { ...result, loadAverageAtStart: context.loadAverageAtStart, loadAverageAtEnd: loadAverage() };
  await writeFile(path.join(context.resultsDir, `${result.scenario}.json`), `${JSON.stringify(recorded, null, 2)}\n`);
  await writeFile(path.join(context.resultsDir, `${result.scenario}.svg`), svg);
  return result;
}

/**
 * Another scenario's results, if it ran in this run (its file was written after the run started):
 * goals that compare with a peer (graphile-worker's figures) compare within one run, on one machine
 * at one load, never with an older file.
 */
export async function resultOfThisRun<T>(context: RunContext, scenario: string): Promise<T | undefined> {
  const text = await readFile(path.join(context.resultsDir, `${scenario}.json`), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const result = JSON.parse(text) as ScenarioResult & { results: T };
  return Date.parse(result.startedAt) >= context.runStartedAt.getTime() ? result.results : undefined;
}

export const ms = (value: number) =>
  !Number.isFinite(value) ? '–' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;

/** CPU time per request, in µs. */
export const us = (value: number) => (Number.isFinite(value) ? `${value < 100 ? value.toFixed(1) : value.toFixed(0)} µs` : '–');
