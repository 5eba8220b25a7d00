// The jobs Handoff produces itself: the backlog's and those sent again, once the statement that
// assigned them has committed. Jobs assigned together (many slots opening at once, a fill) go to
// Kafka in one request; if it fails, each job goes back first in line and its slot is freed.
import type { Logger } from '../logger.js';
import { jobRecordHeaders } from '../protocol/headers.js';
import type { Database, JobTransport } from './ports.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import { giveBackJob } from './sql/giveBackJob.js';

export class Deliveries {
  private queue: AssignedJob[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly transport: JobTransport | undefined,
    private readonly settings: JobSettings,
    private readonly log: Logger,
    /** What was produced, after each batch (metrics). */
    private readonly produced: (jobs: readonly AssignedJob[]) => void = () => {},
  ) {}

  /** Queues assigned jobs; they are produced in the next batch (this turn of the event loop's). */
  deliver(jobs: readonly AssignedJob[] | null | undefined): void {
    if (!jobs || jobs.length === 0) return;
    this.queue.push(...jobs);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Waits for every queued job to be produced or given back (shutdown). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const jobs = this.queue;
    this.queue = [];
    try {
      if (!this.transport) throw new Error('Kafka is not configured on this server');
      await this.transport.produceMany(
        jobs.map((job) => ({
          topic: job.topic,
          message: { key: job.key, value: job.value, headers: jobRecordHeaders(job.headers ?? {}, { id: job.leaseId, attempt: job.attempt }) },
        })),
      );
      this.produced(jobs);
    } catch (error) {
      const reason = `producing the job failed: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error({ err: error, jobs: jobs.length }, 'could not produce assigned jobs; they wait first in line again');
      for (const job of jobs) {
        await giveBackJob(this.db, job.leaseId, reason, this.settings).catch((giveBackError: unknown) => {
          // The lease then ends by its processing deadline, and the job is sent again then.
          this.log.error({ err: giveBackError, lease: job.leaseId }, 'could not give an unproduced job back; its lease will expire');
        });
      }
    } finally {
      this.flushing = this.queue.length > 0 ? new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush()) : undefined;
    }
  }
}
