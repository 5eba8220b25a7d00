// The soak's --submit mode: producers that never wait for a consumer. Half of them submit jobs through
// submitJobs, half write plain Kafka records to the pool's intake topic; both carry an idempotency
// key per job (`job-<n>`), so a call or a send tried again after an error adds no second job. What the
// backlog recorded is counted afterwards from the database: one row per job, or the run failed.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { GraphQLClient, HandoffError, type HandoffProducer, intakeHeaders } from '../../src/client/index.js';
import { GetStats } from '../../src/client/operations.js';

export interface SubmitRun {
  pool: string;
  jobCount: number;
  deadline: number;
  /** One per producer; the even ones submit, the odd ones write to the intake. */
  producers: readonly HandoffProducer[];
  url: string;
  headers: Record<string, string>;
  brokers: string[];
  /** Jobs per submitJobs call or per intake send. */
  batch: number;
}

export interface Submitted {
  /** How long each call or send took (per batch: the producer's whole wait). */
  latencies: number[];
  viaApi: number;
  viaIntake: number;
  /** Calls and sends tried again after an error. */
  retried: number;
}

/** Codes after which a submission is tried again: nothing or all of it was added, and the idempotency keys make it safe. */
const retryable: readonly string[] = ['BACKLOG_FULL', 'KAFKA_UNAVAILABLE', 'DATABASE_UNAVAILABLE', 'RATE_LIMITED', 'SHUTTING_DOWN'];

export async function submitThroughBacklog(run: SubmitRun): Promise<Submitted> {
  const topic = await intakeTopic(run.url, run.headers, run.pool);
  const kafka = new Kafka({ clientId: 'handoff-soak', brokers: run.brokers, logLevel: logLevel.WARN });
  const result: Submitted = { latencies: [], viaApi: 0, viaIntake: 0, retried: 0 };
  let next = 0;
  await Promise.all(
    run.producers.map(async (producer, i) => {
      const writer = i % 2 === 1 ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 }) : undefined;
      await writer?.connect();
      try {
        while (next < run.jobCount && Date.now() < run.deadline) {
          const first = next;
          next = Math.min(run.jobCount, next + run.batch);
          const jobs = Array.from({ length: next - first }, (_, k) => `job-${first + k}`);
          const startedAt = performance.now();
          for (;;) {
            try {
              if (writer) {
                await writer.send({ topic, messages: jobs.map((job) => ({ key: job, value: job, headers: { [intakeHeaders.idempotencyKey]: job } })) });
              } else {
                await producer.submit(run.pool, jobs.map((job) => ({ key: job, value: job, idempotencyKey: job })));
              }
              break;
            } catch (error) {
              const again = writer ? true : error instanceof HandoffError && retryable.includes(error.code);
              if (!again || Date.now() > run.deadline) throw error;
              result.retried += 1;
              await new Promise((resolve) => setTimeout(resolve, 200));
            }
          }
          result.latencies.push(performance.now() - startedAt);
          if (writer) result.viaIntake += jobs.length;
          else result.viaApi += jobs.length;
        }
      } finally {
        await writer?.disconnect();
      }
    }),
  );
  return result;
}

/** The pool's intake topic, which its first consumer's registration created. */
async function intakeTopic(url: string, headers: Record<string, string>, pool: string): Promise<string> {
  const client = new GraphQLClient({ url, headers });
  try {
    const topic = (await client.request(GetStats, { pool })).stats.intakeTopic;
    if (!topic) throw new Error(`the server reports no intake topic for pool ${pool} (HANDOFF_INTAKE=off?); --submit needs it`);
    return topic;
  } finally {
    await client.close();
  }
}

export interface BacklogRows {
  /** Rows of the pool's jobs table, and how many different jobs (values) they hold: equal, or a job was recorded twice. */
  rows: number;
  distinct: number;
  /** Recorded to completed, from the database's clock (a job from the intake counts from when it was recorded). */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export async function countBacklogRows(databaseUrl: string, pool: string): Promise<BacklogRows> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<BacklogRows>(
      `SELECT count(*)::int AS rows, count(DISTINCT message_value)::int AS distinct,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM ended_at - submitted_at) * 1000)::float8) FILTER (WHERE state = 'COMPLETED') AS "p50Ms",
              percentile_cont(0.99) WITHIN GROUP (ORDER BY (extract(epoch FROM ended_at - submitted_at) * 1000)::float8) FILTER (WHERE state = 'COMPLETED') AS "p99Ms",
              max((extract(epoch FROM ended_at - submitted_at) * 1000)::float8) FILTER (WHERE state = 'COMPLETED') AS "maxMs"
       FROM jobs WHERE pool = $1`,
      [pool],
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}
