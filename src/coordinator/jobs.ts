// The backlog: producers that never wait submit jobs, which live in the database until a slot takes
// them, in the pool's order (priority, fairness across keys, age); Handoff then produces each to its
// consumer's topic.
import { randomUUID } from 'node:crypto';
import { CodedError } from '../protocol/errors.js';
import { isUuid, quoted } from '../protocol/names.js';
import { type Actor, writeAudit } from './audit.js';
import { badInput, kafkaUnavailable, notFound } from './errors.js';
import type { Filler } from './filler.js';
import type { Database, JobTransport } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { cancelJob } from './sql/cancelJob.js';
import { type BacklogGrouping, type BacklogGroupRow, countBacklogBy } from './sql/countBacklogBy.js';
import { type NewJob, enqueueJobs } from './sql/enqueueJobs.js';
import { findJob } from './sql/findJob.js';
import { findJobs } from './sql/findJobs.js';
import { listJobs } from './sql/listJobs.js';
import { jobFromRow } from './sql/rows.js';
import { type FairnessRow, setFairness } from './sql/setFairness.js';
import { type Job, type JobState, type Page, jobStates, pageOf } from './types.js';
import { type MessageInput, type OrderInput, checkLabels, checkMessage, checkName, checkOrder, checkPageSize, checkPool } from './validate.js';

export interface SubmitInput extends OrderInput {
  message: MessageInput;
  labels?: readonly string[] | null;
  /** A job submitted again with the same key (in the pool) is not added twice: the first is returned. */
  idempotencyKey?: string | null;
}

/** The most jobs one submitJobs call may carry. */
export const maxSubmitBatch = 1_000;

export interface JobFilter {
  pool: string;
  state?: string | null;
  first?: number | null;
  /** Jobs after this one (a job id from the previous page). */
  afterId?: string | null;
}

export class Jobs {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly filler: Filler,
    private readonly transport: JobTransport | undefined,
  ) {}

  /** Adds jobs to the pool's backlog and returns them (a job already there by its idempotency key, as it is). */
  async submitJobs(pool: string, inputs: readonly SubmitInput[]): Promise<Job[]> {
    const { limits } = this.settings;
    const name = checkPool(limits, pool);
    if (inputs.length < 1 || inputs.length > maxSubmitBatch) throw badInput(`submit 1–${maxSubmitBatch} jobs at a time (got ${inputs.length})`);
    const jobs = inputs.map((input): NewJob => ({
      id: randomUUID(),
      message: checkMessage(limits, input.message),
      labels: checkLabels(limits, input.labels),
      ...checkOrder(input),
      idempotencyKey: input.idempotencyKey == null ? undefined : checkName('idempotencyKey', input.idempotencyKey, 256),
    }));
    if (!this.transport) throw kafkaUnavailable('Kafka is not configured on this server (set KAFKA_BROKERS): Handoff could not send the jobs');
    const rows = await enqueueJobs(this.db, { pool: name, jobs, limit: this.settings.backlogLimit });
    if (rows.some((row) => row.refused)) {
      throw new CodedError('BACKLOG_FULL', `pool ${name} holds its limit of ${this.settings.backlogLimit} pending jobs; nothing was added`);
    }
    this.filler.fill(name);
    const found = new Map((await findJobs(this.db, rows.map((row) => row.id ?? ''))).map((row) => [row.id, jobFromRow(row)]));
    return rows.map((row) => found.get(row.id ?? '') ?? missing(row.id));
  }

  async job(id: string): Promise<Job | undefined> {
    const row = await findJob(this.db, checkJobId(id));
    return row && jobFromRow(row);
  }

  /** A pool's backlog jobs (and their history), oldest first. */
  async jobs(filter: JobFilter): Promise<Page<Job>> {
    const { limits } = this.settings;
    const pool = checkPool(limits, filter.pool);
    const limit = checkPageSize(limits, filter.first);
    const state = filter.state == null ? undefined : checkJobState(filter.state);
    const after = filter.afterId == null ? undefined : await findJob(this.db, checkJobId(filter.afterId));
    if (filter.afterId != null && !after) throw badInput('after is not a job of this listing');
    const rows = await listJobs(this.db, { pool, state, after: after && { submittedAt: after.submittedAt, id: after.id }, limit: limit + 1 });
    return pageOf(rows, limit, jobFromRow);
  }

  /** Cancels a PENDING backlog job; CONFLICT once it has a lease (or ended), NOT_FOUND for none. Written to the audit log with `actor`. */
  async cancelJob(id: string, actor?: Actor): Promise<Job> {
    const jobId = checkJobId(id);
    const row = await this.db.transaction(async (tx) => {
      const cancelled = await cancelJob(tx, jobId, 'cancelled');
      if (cancelled && actor) {
        const summary = `PENDING → CANCELLED (priority ${cancelled.priority}, submitted ${cancelled.submittedAt.toISOString()})`;
        await writeAudit(tx, actor, { action: 'CANCEL_JOB', pool: cancelled.pool, target: jobId, summary });
      }
      return cancelled;
    });
    if (row) return jobFromRow(row);
    const found = await findJob(this.db, jobId);
    if (!found) throw notFound(`job ${jobId} does not exist`);
    throw new CodedError('CONFLICT', `job ${jobId} is ${found.state}${found.waiting ? ' (a waiting producer’s)' : ''}; only a PENDING backlog job can be cancelled`);
  }

  /** A fairness key's weight (its share of slots against the pool's other keys) and its limit of jobs in flight. */
  setFairness(pool: string, key: string, change: { weight?: number | null; maxInFlight?: number | null }, limitGiven: boolean): Promise<FairnessRow> {
    const { limits } = this.settings;
    if (change.weight != null && !(Number.isFinite(change.weight) && change.weight >= 0.01 && change.weight <= 10_000)) {
      throw badInput(`weight must be a number from 0.01 to 10000 (got ${change.weight})`);
    }
    if (change.maxInFlight != null && !(Number.isInteger(change.maxInFlight) && change.maxInFlight >= 1 && change.maxInFlight <= 1_000_000)) {
      throw badInput(`maxInFlight must be an integer from 1 to 1000000, or null for no limit (got ${change.maxInFlight})`);
    }
    return setFairness(this.db, {
      pool: checkPool(limits, pool),
      key: checkOrder({ fairnessKey: key }).fairnessKey,
      weight: change.weight ?? undefined,
      maxInFlight: limitGiven ? (change.maxInFlight ?? null) : undefined,
    });
  }

  /** Pending and in-flight jobs of a pool by priority, fairness key or labels: the `top` largest groups, the rest as `*`. */
  backlogBy(pool: string, grouping: BacklogGrouping, top = 10): Promise<BacklogGroupRow[]> {
    return countBacklogBy(this.db, checkPool(this.settings.limits, pool), grouping, top);
  }
}

const missing = (id: string | null): never => {
  throw new Error(`job ${id} was enqueued but cannot be read back`);
};

function checkJobId(id: string): string {
  if (!isUuid(id)) throw badInput(`job id must be a UUID (got ${quoted(id)})`);
  return id.toLowerCase();
}

function checkJobState(state: string): JobState {
  if (!(jobStates as readonly string[]).includes(state)) throw badInput(`state must be one of ${jobStates.join(', ')} (got ${state})`);
  return state as JobState;
}
