// How the database reads a pool's line: the statements that hand out jobs take the first ones in
// line order straight from an index, whatever the line's length — never by reading every pending job
// and sorting them. (A line of 10,000 was once sorted whole: 13 ms for one completion.) Each statement
// is planned here by the database itself (EXPLAIN, as it would run, with its values), after ANALYZE.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSettings } from '../src/coordinator/sql/assignment.js';
import { assignSlots } from '../src/coordinator/sql/assignSlots.js';
import { endLease } from '../src/coordinator/sql/endLease.js';
import { enqueueJobs } from '../src/coordinator/sql/enqueueJobs.js';
import { type Database, openDatabase } from '../src/db/database.js';
import { type Sql, sql } from '../src/sql/statement.js';
import { type BackendName, backends, createTestDatabase, type TestDatabase, withQuery } from './support/databases.js';
import { testConfig, unique } from './support/harness.js';

/** A plan node as EXPLAIN (FORMAT JSON) gives it. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const settings: JobSettings = { defaultLeaseTtlMs: 30_000, processingTtlMs: 60_000, produces: true, maxAttempts: 5 };

/** A database whose statements are planned, not run: each one's plan is kept, and it returns no row. */
function planning(database: Database) {
  const plans: PlanNode[] = [];
  const planned = withQuery(database, async <Row,>(statement: Sql) => {
    const [row] = await database.query<{ 'QUERY PLAN': { Plan: PlanNode }[] | string }>(sql`EXPLAIN (FORMAT JSON) ${statement}`);
    const plan = row?.['QUERY PLAN'];
    const parsed: { Plan: PlanNode }[] = typeof plan === 'string' ? JSON.parse(plan) : (plan ?? []);
    for (const { Plan } of parsed) plans.push(Plan);
    return [] as Row[];
  });
  return { database: planned, plans };
}

/** The node and those below it; `until` stops the descent at the nodes it names (their own children unread). */
function* nodes(node: PlanNode, until?: string): Generator<PlanNode> {
  yield node;
  if (node['Node Type'] === until) return;
  for (const child of node.Plans ?? []) yield* nodes(child, until);
}

/**
 * Sorts of the line itself: a sort whose input reads the jobs table with no limit in between. (A
 * sort of the few rows a limit already took, such as the fill's 32 candidates, is not one.)
 */
function sortsOfJobs(plan: PlanNode): string[] {
  return [...nodes(plan)]
    .filter((node) => /Sort/.test(node['Node Type']) && [...nodes(node, 'Limit')].some((below) => below['Relation Name'] === 'jobs'))
    .map((node) => node['Node Type']);
}

/** Scans of jobs in the plan. */
const jobScans = (plan: PlanNode) => [...nodes(plan)].filter((node) => node['Relation Name'] === 'jobs').map((node) => node['Node Type']);

describe.each(backends)('reading the line on %s', (backend: BackendName) => {
  let testDatabase: TestDatabase;
  let database: Database;
  const pool = unique('plan');

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    database = await openDatabase(testConfig(testDatabase));
    // A long line, as a backlog has: 10,000 pending jobs, the same priority and key, in arrival order.
    for (let batch = 0; batch < 10; batch++) {
      await enqueueJobs(database, {
        pool,
        jobs: Array.from({ length: 1_000 }, (_, n) => ({
          id: randomUUID(),
          message: { key: null, value: `job-${batch}-${n}`, headers: {} },
          labels: [],
          priority: 0,
          fairnessKey: '',
        })),
      });
    }
    await database.query(sql`ANALYZE`);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('the line holds 10,000 pending jobs', async () => {
    const [row] = await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM jobs WHERE pool = ${pool} AND state = 'PENDING'`);
    expect(row?.n).toBe(10_000);
  });

  it('a completion whose slot takes the next job reads the line in order from an index', async () => {
    const { database: planned, plans } = planning(database);
    await endLease(planned, 'COMPLETED', randomUUID(), { consumerId: `${pool}-c`, epoch: 1 }, settings);
    expect(plans).toHaveLength(1);
    const [plan] = plans as [PlanNode];
    expect(jobScans(plan).some((type) => type === 'Index Scan')).toBe(true);
    expect(sortsOfJobs(plan)).toEqual([]);
  });

  it('filling a pool’s free slots reads the first jobs in order from an index', async () => {
    const { database: planned, plans } = planning(database);
    await assignSlots(planned, { pool }, settings);
    expect(plans).toHaveLength(1);
    const [plan] = plans as [PlanNode];
    expect(jobScans(plan).some((type) => type === 'Index Scan')).toBe(true);
    expect(sortsOfJobs(plan)).toEqual([]);
  });
});
