// Scenario 1, makespan: 16 consumers of mixed speed and a batch of heavy-tailed jobs, through
// (a) a plain kafkajs consumer group, (b) Handoff's ways in: the SDK's send and dispatch (a producer
// waits for the next free consumer), the backlog (HandoffProducer.submit: every job at t0, Handoff
// sends each when a slot frees) and the Kafka intake (plain records to the pool's intake topic), (c) the seed's design (producers poll nextFreeConsumer every 100 ms, then claim), and two peers
// that hand each job to the next free consumer their own way: (d) a RabbitMQ queue (amqplib,
// prefetch 1 and 2) and (e) a Kafka share group (KafkaShareConsumer, bench/sharegroup/, Java).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ChannelModel, connect as connectRabbitMq } from 'amqplib';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { HandoffProducer } from '../../src/client/index.js';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { AttachJob, ReleaseLease } from '../../src/client/operations.js';
import { startHandoffConsumers } from '../lib/consumers.js';
import { type Backend, type BenchServer, backendLabel, startBenchServer } from '../lib/infra.js';
import { intakeReady, produceToIntake } from '../lib/intake.js';
import { claimByPolling } from '../lib/polling.js';
import { progressBar } from '../lib/progress.js';
import { type HeadlineRow, type RunContext, type ScenarioResult, logVerdicts, table, verdict, writeResult } from '../lib/report.js';
import { type Summary, pareto, round, roundSummary, seededRandom, sleep, summarize } from '../lib/stats.js';
import { barChart, goalColor, palette } from '../lib/svg.js';

const consumerCount = 16;
const slowdown = 5; // a quarter of the consumers take 5× as long for the same job
const speedOf = (consumer: number) => (consumer % 4 === 3 ? slowdown : 1);
const seed = 20_240_601;
// Pareto, mean ≈ 240 ms, a few jobs near the cap. Long enough that Handoff's per-job round trips
// (≈ 20 ms on the 2-core reference machine, see bench/README.md) are a small part of each job.
const durations = { scaleMs: 125, shape: 2, capMs: 2_000 };
const producerLoops = 32; // jobs waiting at once: twice the consumers, so a freed consumer always has a taker
const pollIntervalMs = 100;
const goalRatio = 1.1; // send and dispatch: within 10% of the lower bound
const goalSpeedup = 2; // and at least twice as soon as the consumer group
const backlogGoalRatio = 1.05; // the backlog and the intake (issue #16): within 5%
const bestGoalRatio = 1.03; // Handoff's best way in (issue #18): within 3%, and ahead of the peers
const goalIdleP50Ms = 5; // idle consumer time between one job and the next, p50
const submitBatch = 1_000; // jobs per submitJobs call, its most

interface JobSpec {
  n: number;
  ms: number;
}

/** When each job started and ended, and where: the whole schedule of one variant. */
class Schedule {
  readonly startedAt = new Map<number, number>();
  readonly finishedAt = new Map<number, number>();
  readonly consumerOf = new Map<number, number>();
  readonly t0 = performance.now();
  private allDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.allDone = resolve));

  constructor(readonly jobs: JobSpec[]) {}

  /**
   * Records a run of job `n` measured elsewhere (the share-group program, in another process), start and
   * end in ms after t0. As in run(): a job that ran more than once counts once, from its first start
   * (and that start's consumer) to its first end, whatever order the runs are reported in.
   */
  record(n: number, consumer: number, startMs: number, endMs: number): void {
    const start = this.t0 + startMs;
    const end = this.t0 + endMs;
    const firstStart = this.startedAt.get(n);
    if (firstStart === undefined || start < firstStart) {
      this.startedAt.set(n, start);
      this.consumerOf.set(n, consumer);
    }
    const firstEnd = this.finishedAt.get(n);
    if (firstEnd === undefined || end < firstEnd) this.finishedAt.set(n, end);
    if (this.finishedAt.size === this.jobs.length) this.allDone();
  }

  /** Runs job `n` on `consumer` at that consumer's speed (a redelivered job runs again, counted once). */
  async run(n: number, consumer: number): Promise<void> {
    const job = this.jobs[n]!;
    if (!this.startedAt.has(n)) {
      this.startedAt.set(n, performance.now());
      this.consumerOf.set(n, consumer);
    }
    await sleep(job.ms * speedOf(consumer));
    if (!this.finishedAt.has(n)) this.finishedAt.set(n, performance.now());
    if (this.finishedAt.size === this.jobs.length) this.allDone();
  }

  /**
   * Each job's idle consumer time: from its consumer's previous job's end (t0 for the first) to its
   * start — what getting the next job costs a consumer, job by job.
   */
  idleGaps(): number[] {
    const byConsumer = new Map<number, number[]>();
    for (const [n, consumer] of this.consumerOf) byConsumer.set(consumer, [...(byConsumer.get(consumer) ?? []), n]);
    const gaps: number[] = [];
    for (const jobs of byConsumer.values()) {
      let free = this.t0;
      for (const n of jobs.sort((x, y) => this.startedAt.get(x)! - this.startedAt.get(y)!)) {
        const start = this.startedAt.get(n)!;
        gaps.push(Math.max(0, start - free));
        free = this.finishedAt.get(n) ?? start;
      }
    }
    return gaps;
  }

  summary(variant: string, extra: Record<string, unknown> = {}): VariantResult {
    const ends = [...this.finishedAt.values()];
    const makespanMs = ends.length ? Math.max(...ends) - this.t0 : Number.NaN;
    const waits = [...this.startedAt.values()].map((start) => start - this.t0);
    const perConsumer = Array.from({ length: consumerCount }, (_, consumer) => ({ consumer, slowdown: speedOf(consumer), jobs: 0, busyMs: 0 }));
    for (const [n, consumer] of this.consumerOf) {
      const load = perConsumer[consumer]!;
      load.jobs += 1;
      load.busyMs += this.jobs[n]!.ms * speedOf(consumer);
    }
    const busyMs = perConsumer.reduce((sum, load) => sum + load.busyMs, 0);
    return {
      variant,
      completed: this.finishedAt.size,
      makespanMs: round(makespanMs),
      /** Share of consumer-time spent running jobs; the rest is waiting for the next one. */
      busyShare: round(busyMs / (consumerCount * makespanMs)),
      /** Consumer-time not spent on jobs, per job: the per-job cost of getting the next job (and the idle tail). */
      idlePerJobMs: round((consumerCount * makespanMs - busyMs) / this.jobs.length),
      idleGapMs: roundSummary(summarize(this.idleGaps())),
      waitMs: roundSummary(summarize(waits)),
      perConsumer: perConsumer.map((load) => ({ ...load, busyMs: round(load.busyMs) })),
      ...extra,
    };
  }
}
/** One way's figures, from its Schedule: the same fields for every way, and what only it has. */
interface VariantResult {
  variant: string;
  completed: number;
  makespanMs: number;
  busyShare: number;
  idlePerJobMs: number;
  /** Per job, its consumer's idle time before it (see Schedule.idleGaps). */
  idleGapMs: Summary;
  waitMs: Summary;
  perConsumer: { consumer: number; slowdown: number; jobs: number; busyMs: number }[];
  /** Polling's request rate, a peer's server, settings and counters, … */
  [extra: string]: unknown;
}

/** A way that could not run here (no RabbitMQ, no Java, a broker without share groups): its row says why. */
interface NotRun {
  variant: string;
  /** Short, for the table and the chart: "not reachable", "no share groups", … */
  notRun: string;
  /** The whole reason, printed under the table and kept in the result file. */
  reason: string;
}
type Outcome = VariantResult | NotRun;
const wasRun = (outcome: Outcome): outcome is VariantResult => !('notRun' in outcome);

/** The ways `--variants` can pick (bench/run.ts); all of them by default. */
const variantKeys = ['group', 'handoff', 'submit', 'intake', 'polling', 'rabbitmq', 'sharegroup'] as const;
type VariantKey = (typeof variantKeys)[number];

/**
 * Grey for the consumer group, blue for Handoff, orange for polling, red for RabbitMQ, purple for the
 * share group: the same in every chart.
 */
const variantColors: Record<string, string | undefined> = { a: '#8a8a8a', b: palette[0], c: palette[1], d: palette[3], e: palette[4] };
const variantColor = (variant: string) => variantColors[variant.charAt(0)] ?? '#555';

function makeJobs(count: number): JobSpec[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, n) => ({ n, ms: Math.round(pareto(random, durations.scaleMs, durations.shape, durations.capMs)) }));
}

/**
 * Waits for the schedule, showing progress; gives up at the deadline (the result says how many
 * finished), or when `gone` settles (the process running the jobs ended).
 */
async function watch(label: string, schedule: Schedule, deadlineMs: number, gone?: Promise<unknown>): Promise<void> {
  const bar = progressBar(label, schedule.jobs.length);
  const timer = setInterval(() => bar.update(schedule.finishedAt.size), 200);
  await Promise.race([schedule.done, sleep(deadlineMs), ...(gone ? [gone] : [])]);
  clearInterval(timer);
  bar.finish(schedule.finishedAt.size < schedule.jobs.length ? 'deadline reached' : '');
}

/** (a) A plain consumer group: a 16-partition topic, job n on partition n mod 16. */
async function consumerGroup(context: RunContext, jobs: JobSpec[], deadlineMs: number): Promise<VariantResult> {
  const kafka = new Kafka({ clientId: 'bench-group', brokers: context.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `bench-makespan-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: consumerCount }], waitForLeaders: true });
  const groupId = `${topic}-group`;
  const consumers = Array.from({ length: consumerCount }, () => kafka.consumer({ groupId, maxWaitTimeInMs: 100 }));
  const assignment = new Map<number, number>(); // consumer → partitions assigned at its last join
  let schedule: Schedule | undefined;
  const waiting: { n: number; consumer: number }[] = [];
  await Promise.all(
    consumers.map(async (consumer, index) => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => assignment.set(index, Object.values(event.payload.memberAssignment).flat().length));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const n = Number(message.value?.toString());
          if (schedule) await schedule.run(n, index);
          else waiting.push({ n, consumer: index });
        },
      });
    }),
  );
  // Measured only once every consumer holds exactly one partition (the group has settled).
  const settleBy = Date.now() + 60_000;
  while (!(assignment.size === consumerCount && [...assignment.values()].every((count) => count === 1)) && Date.now() < settleBy) await sleep(100);
  await sleep(500);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  schedule = new Schedule(jobs);
  await producer.send({ topic, messages: jobs.map((job) => ({ value: String(job.n), partition: job.n % consumerCount })) });
  await watch('makespan: consumer group', schedule, deadlineMs);
  const result = schedule.summary('a. Kafka consumer group (16 partitions)', { settled: assignment.size === consumerCount, strayRecords: waiting.length });
  await producer.disconnect();
  await Promise.all(consumers.map((consumer) => consumer.disconnect()));
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  return result;
}

/** The longest a dispatch may wait for a free consumer: the server's default HANDOFF_MAX_WAIT_MS. */
const dispatchWaitMs = 300_000;

/** How a HandoffProducer hands one job over: `send` or `dispatch`. */
type SendMode = 'send' | 'dispatch';

/**
 * (b) HandoffProducer, each job to the next free consumer: `send` waits over graphql-ws for it, records
 * the job and produces it; `dispatch` asks Handoff to wait in the same line, record and produce.
 */
async function handoffSend(url: string, headers: Record<string, string>, context: RunContext, pool: string, schedule: Schedule, mode: SendMode, label: string, deadlineMs: number) {
  const producers = Array.from({ length: 4 }, () => new HandoffProducer({ url, headers, kafka: { brokers: context.kafkaBrokers.split(',') } }));
  let next = 0;
  const sending = Promise.all(
    Array.from({ length: producerLoops }, async (_, loop) => {
      const producer = producers[loop % producers.length]!;
      while (next < schedule.jobs.length) {
        const n = next++;
        const job = { key: String(n), value: String(n) };
        if (mode === 'send') await producer.send(pool, job);
        else await producer.dispatch(pool, job, { waitMs: dispatchWaitMs });
      }
    }),
  );
  await watch(label, schedule, deadlineMs);
  await sending;
  await Promise.all(producers.map((producer) => producer.close()));
}

/** Jobs to submit or produce at t0: job n is the record with key and value n, as for every other way. */
const records = (schedule: Schedule) => schedule.jobs.map((job) => String(job.n));

/** (b) The backlog: every job submitted at t0 (HandoffProducer.submit, 1,000 a call, all calls at once); Handoff sends each as a slot frees. */
async function handoffSubmit(server: BenchServer, pool: string, schedule: Schedule, label: string, deadlineMs: number) {
  const producer = new HandoffProducer({ url: server.url, headers: server.headers });
  const values = records(schedule);
  const batches = Array.from({ length: Math.ceil(values.length / submitBatch) }, (_, i) => values.slice(i * submitBatch, (i + 1) * submitBatch));
  const started = performance.now();
  const submitted = Promise.all(batches.map((batch) => producer.submit(pool, batch.map((value) => ({ key: value, value }))))).then(() => performance.now() - started);
  await watch(label, schedule, deadlineMs);
  const submitMs = await submitted;
  await producer.close();
  return { submitMs: round(submitMs) };
}

/**
 * (b) The Kafka intake: a plain kafkajs producer (connected before t0) writes every job to the pool's
 * intake topic at t0; Handoff reads them into the backlog and sends each as a slot frees. Measured once
 * the server's intake reads the topic; a server without the intake says so in the row.
 */
async function handoffIntake(server: BenchServer, context: RunContext, pool: string, jobs: JobSpec[], label: string, deadlineMs: number, start: (schedule: Schedule) => void): Promise<Outcome> {
  const variant = `b. Handoff Kafka intake (kafkajs producer), ${backendLabel[server.backend]}`;
  const kafka = new Kafka({ clientId: 'bench-intake', brokers: context.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const ready = await intakeReady(server, kafka, pool);
  if ('notAvailable' in ready) return { variant, notRun: 'intake not available', reason: ready.notAvailable };
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const schedule = new Schedule(jobs);
    start(schedule);
    const started = performance.now();
    const produced = produceToIntake(producer, ready.topic, records(schedule)).then(() => performance.now() - started);
    await watch(label, schedule, deadlineMs);
    return schedule.summary(variant, { intakeTopic: ready.topic, intakePartitions: ready.partitions, produceMs: round(await produced) });
  } finally {
    await producer.disconnect();
  }
}

/** (c) The seed's design: poll nextFreeConsumer every 100 ms, claim, record the job, produce. */
async function handoffPolling(url: string, headers: Record<string, string>, context: RunContext, pool: string, schedule: Schedule, deadlineMs: number) {
  const kafka = new Kafka({ clientId: 'bench-polling', brokers: context.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const clients = Array.from({ length: producerLoops }, () => new GraphQLClient({ url, headers }));
  const counter = { requests: 0 };
  let next = 0;
  const started = performance.now();
  const sending = Promise.all(
    clients.map(async (client) => {
      while (next < schedule.jobs.length) {
        const lease = await claimByPolling(client, pool, pollIntervalMs, counter);
        if (!lease) return;
        const n = next++;
        if (n >= schedule.jobs.length) {
          await client.request(ReleaseLease, { id: lease.id });
          return;
        }
        await client.request(AttachJob, { id: lease.id, message: { key: String(n), value: String(n), headers: [] } });
        await producer.send({
          topic: lease.consumer.topic,
          messages: [{ key: String(n), value: String(n), headers: { 'handoff-lease-id': lease.id, 'handoff-attempt': String(lease.attempt) } }],
        });
      }
    }),
  );
  await watch('makespan: polling 100 ms', schedule, deadlineMs);
  await sending;
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  await Promise.all(clients.map((client) => client.close()));
  return { requestsPerSecond: round(counter.requests / seconds) };
}

/** RabbitMQ for the peers: BENCH_RABBITMQ_URL, or the guest account on this machine. */
const rabbitMqUrl = process.env.BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** Where, without the credentials: for tables and result files. */
const rabbitMqHost = () => new URL(rabbitMqUrl).host;
const rabbitMqConnectTimeoutMs = 5_000;

const errorText = (error: unknown) => (error instanceof Error ? error.message || error.name : String(error));

/**
 * (d) RabbitMQ, the way its users hand out work: one durable queue, 16 consumers (a connection and a
 * channel each, `prefetch` unacknowledged deliveries at most, manual ack once the job has run), and a
 * producer that publishes every job, persistent, at t0. With prefetch 2 a consumer holds the next job
 * while it runs one; it still runs them one at a time.
 */
async function rabbitMq(context: RunContext, jobs: JobSpec[], prefetch: number, deadlineMs: number): Promise<Outcome> {
  const variant = `d. RabbitMQ, prefetch ${prefetch}`;
  let publisherConnection: ChannelModel;
  try {
    publisherConnection = await connectRabbitMq(rabbitMqUrl, { timeout: rabbitMqConnectTimeoutMs });
  } catch (error) {
    // Not every machine runs RabbitMQ: the row says so (the reason goes under the table) and the run goes on.
    return { variant, notRun: 'not reachable', reason: `RabbitMQ at ${rabbitMqHost()} (BENCH_RABBITMQ_URL) did not answer: ${errorText(error)}` };
  }
  const consumerConnections: ChannelModel[] = [];
  // Errors on any connection or in a consumer (an ack on a closed channel) end up in the result.
  const failures: string[] = [];
  publisherConnection.on('error', (error: Error) => failures.push(`publisher: ${errorText(error)}`));
  const queue = `bench-makespan-${randomBytes(4).toString('hex')}`;
  try {
    const publisher = await publisherConnection.createChannel();
    await publisher.assertQueue(queue, { durable: true });
    let schedule: Schedule | undefined;
    for (let index = 0; index < consumerCount; index++) {
      const connection = await connectRabbitMq(rabbitMqUrl, { timeout: rabbitMqConnectTimeoutMs });
      consumerConnections.push(connection);
      connection.on('error', (error: Error) => failures.push(`consumer ${index}: ${errorText(error)}`));
      const channel = await connection.createChannel();
      await channel.prefetch(prefetch);
      // One job at a time, as a worker runs them: a second delivery (prefetch 2) waits for the first.
      let running = Promise.resolve();
      await channel.consume(
        queue,
        (message) => {
          if (!message) {
            failures.push(`consumer ${index}: cancelled by RabbitMQ`);
            return;
          }
          const current = schedule;
          if (!current) {
            failures.push(`consumer ${index}: a delivery before t0 (the queue is new: nothing should be in it)`);
            return;
          }
          const n = Number(message.content.toString());
          running = running
            .then(async () => {
              await current.run(n, index);
              channel.ack(message);
            })
            .catch((error: unknown) => void failures.push(`consumer ${index}: ${errorText(error)}`));
        },
        { noAck: false },
      );
    }
    schedule = new Schedule(jobs);
    for (const job of jobs) {
      // false: the channel's write buffer is full; wait until it drains, as a publisher should.
      if (!publisher.sendToQueue(queue, Buffer.from(String(job.n)), { persistent: true })) await once(publisher, 'drain');
    }
    await watch(`makespan: RabbitMQ prefetch ${prefetch}`, schedule, deadlineMs);
    const server = publisherConnection.connection.serverProperties;
    const result = schedule.summary(variant, {
      server: `${server.product} ${server.version}`,
      client: `amqplib ${context.machine.packages.amqplib ?? ''}`.trim(),
      prefetch,
      queue: 'durable, of the server’s default type (classic); messages persistent',
      acknowledgement: 'manual, after the job',
      errors: [...failures],
    });
    if (failures.length > 0) context.log(`${variant}: ${failures.length} errors, the first: ${failures[0]}`);
    return result;
  } finally {
    // Consumers first (their unacknowledged deliveries go back to the queue), then the queue itself.
    const closing = await Promise.allSettled(consumerConnections.map((connection) => connection.close()));
    for (const result of closing) if (result.status === 'rejected') context.log(`${variant}: closing a consumer connection: ${errorText(result.reason)}`);
    const cleanup = await publisherConnection.createChannel();
    await cleanup.deleteQueue(queue);
    await publisherConnection.close();
  }
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const shareGroupPom = fileURLToPath(new URL('../sharegroup/pom.xml', import.meta.url));
const shareGroupSource = fileURLToPath(new URL('../sharegroup/src/main/java/dev/handoff/bench/ShareGroupMakespan.java', import.meta.url));
/** kafka-clients for a broker whose version could not be read (KAFKA_BROKERS set, version unknown). */
const fallbackKafkaClients = '4.2.1';
const execFileAsync = promisify(execFile);
const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** The two settings the issue asks for: the share consumer's defaults, and one record per poll. */
type ShareSetting = 'record-limit' | 'defaults';
const shareSettings: Record<ShareSetting, { label: string; config: Record<string, string> }> = {
  'record-limit': { label: 'record_limit, max.poll.records 1', config: { 'share.acquire.mode': 'record_limit', 'max.poll.records': '1' } },
  defaults: { label: 'defaults', config: { 'share.acquire.mode': 'batch_optimized (default)', 'max.poll.records': '500 (default)' } },
};

/** What ShareGroupMakespan prints, one JSON object a line (see its class comment). */
type ShareEvent =
  | { event: 'unsupported'; reason: string }
  | { event: 'settled'; settled: boolean; members: number; assigned: number; settleMs: number }
  | { event: 'start' }
  | { event: 'job'; n: number; consumer: number; startMs: number; endMs: number; delivery: number }
  | { event: 'error'; consumer: number; error: string }
  | { event: 'warning'; message: string }
  | {
      event: 'done';
      allDone: boolean;
      completed: number;
      settled: boolean;
      polls: number;
      recordsPolled: number;
      maxRecordsPerPoll: number;
      redeliveries: number;
      ackFailures: number;
      ackFailureTypes: string[];
      failures: number;
    };

/** The broker's release from the run's Kafka description ("4.4.0 (started for the run)"), if known. */
function brokerRelease(context: RunContext): string | undefined {
  return /^(\d+\.\d+\.\d+)/.exec(context.machine.kafka)?.[1];
}

const releaseAtLeast = (release: string, major: number, minor: number) => {
  const [releaseMajor = 0, releaseMinor = 0] = release.split('.').map(Number);
  return releaseMajor > major || (releaseMajor === major && releaseMinor >= minor);
};

/**
 * Compiles ShareGroupMakespan against kafka-clients `version` and copies its runtime classpath, under
 * .cache/sharegroup/<version>/ (once; again when the source or the pom changes). The class path, or
 * why there is none.
 */
async function buildShareGroupProgram(version: string, log: (line: string) => void): Promise<{ classpath: string } | { reason: string }> {
  const cache = path.join(repositoryRoot, '.cache', 'sharegroup', version);
  const classes = path.join(cache, 'target', 'classes');
  const lib = path.join(cache, 'lib');
  const built = path.join(classes, 'dev', 'handoff', 'bench', 'ShareGroupMakespan.class');
  const upToDate = existsSync(built) && existsSync(lib) && statSync(built).mtimeMs >= Math.max(statSync(shareGroupSource).mtimeMs, statSync(shareGroupPom).mtimeMs);
  if (!upToDate) {
    if (!onPath('mvn')) return { reason: 'Maven (mvn) is not installed: the share-group program cannot be built' };
    log(`building bench/sharegroup against kafka-clients ${version} (Maven Central) into ${path.relative(repositoryRoot, cache)} …`);
    try {
      await execFileAsync('mvn', ['-q', '-B', '-f', shareGroupPom, `-Dkafka.version=${version}`, 'package'], { maxBuffer: 16 * 2 ** 20 });
    } catch (error) {
      const output = error instanceof Error && 'stdout' in error ? String(error.stdout) : '';
      return { reason: `mvn package failed: ${errorText(error)} ${output.split('\n').filter((line) => line.includes('ERROR')).slice(0, 3).join(' ')}`.trim() };
    }
  }
  return { classpath: `${classes}${path.delimiter}${path.join(lib, '*')}` };
}

/**
 * (e) A Kafka share group (KIP-932): 16 KafkaShareConsumers of one group on a 1-partition topic, explicit
 * acknowledgement (ACCEPT after each job), run by bench/sharegroup/ in a JVM of its own; the job list
 * goes to it as a file, its per-job start and end times come back as JSON lines and fill a Schedule, so
 * the figures come from the same code as every other way's.
 */
async function shareGroup(context: RunContext, jobs: JobSpec[], setting: ShareSetting, deadlineMs: number): Promise<Outcome> {
  const variant = `e. Kafka share group, ${shareSettings[setting].label}`;
  // Where share groups cannot run here, the row says why (under the table) and the run goes on.
  const notRun = (short: string, reason: string): NotRun => ({ variant, notRun: short, reason });
  const release = brokerRelease(context);
  if (release && !releaseAtLeast(release, 4, 2)) {
    return notRun('broker < 4.2', `the broker is Kafka ${release}; share groups need 4.2 or newer (HANDOFF_KAFKA_VERSION, or KAFKA_BROKERS for another broker)`);
  }
  if (!onPath('java')) return notRun('no Java', 'java is not installed: the share-group program needs Java 17');
  const clients = release ?? fallbackKafkaClients;
  const build = await buildShareGroupProgram(clients, context.log);
  if ('reason' in build) return notRun('not built', build.reason);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'handoff-sharegroup-'));
  try {
    const jobsFile = path.join(dir, 'jobs.txt');
    await writeFile(jobsFile, jobs.map((job) => `${job.n} ${job.ms}\n`).join(''));
    const child = spawn(
      'java',
      [
        '-Xmx256m',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp', build.classpath,
        'dev.handoff.bench.ShareGroupMakespan',
        '--brokers', context.kafkaBrokers,
        '--jobs', jobsFile,
        '--setting', setting,
        '--consumers', String(consumerCount),
        '--slowdown', String(slowdown),
        '--deadline-ms', String(Math.round(deadlineMs)),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const stderrTail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
    });
    const schedule = new Schedule(jobs);
    const events: { settled?: Extract<ShareEvent, { event: 'settled' }>; done?: Extract<ShareEvent, { event: 'done' }>; unsupported?: string } = {};
    const errors: string[] = [];
    let markStarted!: () => void;
    const started = new Promise<'started'>((resolve) => (markStarted = () => resolve('started')));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let event: ShareEvent;
      try {
        event = JSON.parse(line) as ShareEvent;
      } catch {
        errors.push(`not a JSON line on stdout: ${line.slice(0, 200)}`);
        return;
      }
      if (event.event === 'job') schedule.record(event.n, event.consumer, event.startMs, event.endMs);
      else if (event.event === 'start') markStarted();
      else if (event.event === 'settled') events.settled = event;
      else if (event.event === 'done') events.done = event;
      else if (event.event === 'unsupported') events.unsupported = event.reason;
      else if (event.event === 'error') errors.push(`consumer ${event.consumer}: ${event.error}`);
      else context.log(`${variant}: ${event.message}`);
    });
    const first = await Promise.race([started, closed.then(() => 'closed' as const)]);
    if (first === 'closed') {
      const [code] = await closed;
      if (events.unsupported) return notRun('no share groups', `Kafka at ${context.kafkaBrokers}: ${events.unsupported}`);
      return notRun('failed', `ShareGroupMakespan exited with ${code} before producing: ${[...errors, ...stderrTail.slice(-5)].join(' / ')}`);
    }
    // The program stops itself at the deadline; the margin covers its shutdown.
    await watch(`makespan: share group ${setting}`, schedule, deadlineMs + 30_000, closed);
    const [code] = await closed;
    if (code !== 0) errors.push(`ShareGroupMakespan exited with ${code}: ${stderrTail.slice(-5).join(' / ')}`);
    if (errors.length > 0) context.log(`${variant}: ${errors.length} errors, the first: ${errors[0]}`);
    const done = events.done;
    return schedule.summary(variant, {
      server: `Kafka ${release ?? 'unknown version'}`,
      client: `kafka-clients ${clients} (KafkaShareConsumer)`,
      partitions: 1,
      acknowledgement: 'explicit (share.acknowledgement.mode=explicit), ACCEPT after the job',
      config: shareSettings[setting].config,
      groupConfig: { 'share.auto.offset.reset': 'earliest' },
      settled: events.settled?.settled ?? false,
      settleMs: events.settled?.settleMs,
      polls: done?.polls,
      recordsPerPoll: done && done.polls > 0 ? round(done.recordsPolled / done.polls) : undefined,
      maxRecordsPerPoll: done?.maxRecordsPerPoll,
      redeliveries: done?.redeliveries,
      ackFailures: done?.ackFailures,
      ackFailureTypes: done?.ackFailureTypes,
      errors,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runMakespan(context: RunContext): Promise<ScenarioResult> {
  const startedAt = new Date();
  const jobCount = context.quick ? 300 : 2_000;
  const jobs = makeJobs(jobCount);
  const totalWork = jobs.reduce((sum, job) => sum + job.ms, 0);
  const capacity = Array.from({ length: consumerCount }, (_, consumer) => 1 / speedOf(consumer)).reduce((a, b) => a + b, 0);
  const longest = Math.max(...jobs.map((job) => job.ms));
  const lowerBoundMs = Math.max(totalWork / capacity, longest);
  // Generous: a variant that has not finished by then is reported with the jobs it finished.
  const deadlineMs = lowerBoundMs * 12 + 60_000;
  const backends: Backend[] = ['postgres', 'pglite'];
  const unknown = (context.variants ?? []).filter((name) => !(variantKeys as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown makespan variant(s) ${unknown.join(', ')}; choose from ${variantKeys.join(', ')}`);
  const want = (key: VariantKey) => !context.variants || context.variants.includes(key);

  const outcomes: Outcome[] = [];
  if (want('group')) outcomes.push(await consumerGroup(context, jobs, deadlineMs));
  for (const backend of backends) {
    if (!want('handoff') && !want('submit') && !want('intake') && !(backend === 'postgres' && want('polling'))) continue;
    const server = await startBenchServer(backend, { kafkaBrokers: context.kafkaBrokers });
    const pool = `mk-${randomBytes(3).toString('hex')}`;
    let schedule: Schedule | undefined;
    const consumers = await startHandoffConsumers(context, server, pool, consumerCount, async (job, index) => {
      await schedule?.run(Number(job.value), index);
    });
    try {
      for (const mode of want('handoff') ? (['send', 'dispatch'] as const) : []) {
        schedule = new Schedule(jobs);
        await handoffSend(server.url, server.headers, context, pool, schedule, mode, `makespan: Handoff ${mode} ${backend}`, deadlineMs);
        outcomes.push(schedule.summary(`b. Handoff SDK ${mode}, ${backendLabel[backend]}`));
        await sleep(500); // the last completions land before the next batch starts
      }
      if (want('submit')) {
        schedule = new Schedule(jobs);
        const submit = await handoffSubmit(server, pool, schedule, `makespan: Handoff submit ${backend}`, deadlineMs);
        outcomes.push(schedule.summary(`b. Handoff SDK submit (backlog), ${backendLabel[backend]}`, submit));
        await sleep(500);
      }
      if (want('intake')) {
        outcomes.push(await handoffIntake(server, context, pool, jobs, `makespan: Handoff intake ${backend}`, deadlineMs, (started) => (schedule = started)));
        await sleep(500);
      }
      if (backend === 'postgres' && want('polling')) {
        schedule = new Schedule(jobs);
        const polling = await handoffPolling(server.url, server.headers, context, pool, schedule, deadlineMs);
        outcomes.push(schedule.summary(`c. Polling every ${pollIntervalMs} ms, ${backendLabel[backend]}`, polling));
      }
    } finally {
      await consumers.stop();
      await server.stop();
    }
  }
  if (want('rabbitmq')) for (const prefetch of [1, 2]) outcomes.push(await rabbitMq(context, jobs, prefetch, deadlineMs));
  // Defaults last: batches of ~190 records per consumer make it by far the longest (see bench/README.md).
  if (want('sharegroup')) for (const setting of ['record-limit', 'defaults'] as const) outcomes.push(await shareGroup(context, jobs, setting, deadlineMs));
  // Tables, chart and result file list the ways by kind (a, b, … as in bench/README.md), in run order within a kind.
  outcomes.sort((x, y) => x.variant.charCodeAt(0) - y.variant.charCodeAt(0));

  const group = outcomes.find((outcome): outcome is VariantResult => wasRun(outcome) && outcome.variant.startsWith('a.'));
  const rows = outcomes.map((variant) => {
    if (!wasRun(variant)) return [variant.variant, variant.notRun, ...Array.from({ length: 10 }, () => '–')];
    const slow = variant.perConsumer.filter((load) => load.slowdown > 1);
    const fast = variant.perConsumer.filter((load) => load.slowdown === 1);
    const mean = (loads: typeof slow) => loads.reduce((sum, load) => sum + load.jobs, 0) / loads.length;
    return [
      variant.variant,
      `${(variant.makespanMs / 1000).toFixed(2)} s`,
      (variant.makespanMs / lowerBoundMs).toFixed(2),
      group ? (group.makespanMs / variant.makespanMs).toFixed(2) : '–',
      `${(variant.waitMs.p50 / 1000).toFixed(2)} s`,
      `${(variant.waitMs.p99 / 1000).toFixed(2)} s`,
      `${mean(fast).toFixed(0)} / ${mean(slow).toFixed(0)}`,
      `${(variant.busyShare * 100).toFixed(0)}%`,
      `${variant.idlePerJobMs.toFixed(0)} ms`,
      `${variant.idleGapMs.p50.toFixed(1)} ms`,
      `${variant.completed}/${jobCount}`,
      notes(variant),
    ];
  });
  context.log(`\nMakespan: ${jobCount} jobs (Pareto, mean ${(totalWork / jobCount).toFixed(0)} ms, longest ${longest} ms), ${consumerCount} consumers (4 are ${slowdown}× slower); lower bound ${(lowerBoundMs / 1000).toFixed(2)} s`);
  context.log(table([['variant', 'makespan', '× bound', 'group ÷ this', 'wait p50', 'wait p99', 'jobs fast/slow', 'busy', 'idle/job', 'idle p50', 'done', 'notes'], ...rows]));
  for (const outcome of outcomes) if (!wasRun(outcome)) context.log(`  ${outcome.variant}: ${outcome.reason}`);

  const headline: HeadlineRow[] = outcomes
    .filter((variant) => variant.variant.startsWith('b.'))
    .map((variant): HeadlineRow => {
      // The backlog and the intake have the stricter goal and an idle-time goal (issue #16).
      const fromBacklog = /submit|intake/.test(variant.variant);
      const goal = fromBacklog ? `≤ ${backlogGoalRatio.toFixed(2)} ×; ≤ ${goalIdleP50Ms} ms; ≥ ${goalSpeedup}×` : `≤ ${goalRatio.toFixed(2)} ×; –; ≥ ${goalSpeedup}×`;
      const metric = `Makespan, ${variant.variant.slice(3)}: × lower bound; idle p50; speed-up over a consumer group`;
      if (!wasRun(variant)) return { metric, value: variant.notRun, goal, status: 'missed' };
      const ratio = variant.makespanMs / lowerBoundMs;
      const speedup = group ? group.makespanMs / variant.makespanMs : Number.NaN;
      const met = ratio <= (fromBacklog ? backlogGoalRatio : goalRatio) && (!fromBacklog || variant.idleGapMs.p50 <= goalIdleP50Ms) && speedup >= goalSpeedup && variant.completed === jobCount;
      return {
        metric,
        value: `${(variant.makespanMs / 1000).toFixed(2)} s = ${ratio.toFixed(3)} ×; ${variant.idleGapMs.p50.toFixed(1)} ms; ${group ? `${speedup.toFixed(2)}×` : 'no group run'}`,
        goal,
        status: verdict(met),
      };
    });
  headline.push(...bestWayRows(outcomes, lowerBoundMs, jobCount));
  const peers = outcomes.filter((outcome) => /^[de]\./.test(outcome.variant));
  if (peers.length > 0) {
    headline.push({
      metric: 'Peers on the same jobs, makespan ÷ lower bound (idle consumer time per job: mean; p50)',
      value: peers
        .map((peer) => `${peer.variant.slice(3)}: ${wasRun(peer) ? `${(peer.makespanMs / lowerBoundMs).toFixed(3)} (${peer.idlePerJobMs.toFixed(0)} ms; p50 ${peer.idleGapMs.p50.toFixed(1)} ms)${peer.completed < jobCount ? `, ${peer.completed}/${jobCount} done` : ''}` : peer.notRun}`)
        .join('; '),
      goal: '–',
      status: 'reference',
    });
  }
  logVerdicts(context, headline);

  // One outlier (the share group's defaults, ≈ 10 × the bound) would squash every other bar: the axis
  // ends near the slowest of the rest, and a longer bar is cut there with its figure written beside it.
  const typical = outcomes.filter(wasRun).map((variant) => variant.makespanMs).filter((ms) => ms <= 5 * lowerBoundMs);
  const longestBar = Math.max(...outcomes.filter(wasRun).map((variant) => variant.makespanMs));
  const axisMax = longestBar > 5 * lowerBoundMs ? (Math.max(...typical, goalRatio * lowerBoundMs) * 1.05) / 1000 : undefined;
  const kinds = [...new Set(outcomes.map((outcome) => outcome.variant.charAt(0)))];
  const svg = barChart({
    title: `Makespan: ${jobCount} heavy-tailed jobs on ${consumerCount} consumers (4 of them ${slowdown}× slower)`,
    subtitle: `lower bound ${(lowerBoundMs / 1000).toFixed(2)} s · ${context.machine.cpuCount} × ${context.machine.cpuModel}, ${context.machine.memoryGiB} GiB, Node ${context.machine.node}`,
    unit: 's',
    groups: kinds.map((kind) => {
      const members = outcomes.filter((outcome) => outcome.variant.charAt(0) === kind);
      return {
        label: chartGroupLabel(kind, members, context),
        bars: members.map((outcome) => ({
          label: chartBarLabel(outcome.variant),
          value: wasRun(outcome) ? outcome.makespanMs / 1000 : Number.NaN,
          text: wasRun(outcome)
            ? `${(outcome.makespanMs / 1000).toFixed(1)} s (${(outcome.makespanMs / lowerBoundMs).toFixed(2)} × bound)${outcome.completed < jobCount ? `, ${outcome.completed}/${jobCount} done` : ''}`
            : outcome.notRun,
          color: variantColor(outcome.variant),
        })),
      };
    }),
    markers: [
      { value: lowerBoundMs / 1000, label: 'lower bound' },
      { value: (bestGoalRatio * lowerBoundMs) / 1000, label: `best way in: ${bestGoalRatio.toFixed(2)} ×`, color: goalColor },
      { value: (backlogGoalRatio * lowerBoundMs) / 1000, label: `backlog, intake: ${backlogGoalRatio.toFixed(2)} ×`, color: '#7d5ab5' },
      { value: (goalRatio * lowerBoundMs) / 1000, label: `send, dispatch: ${goalRatio.toFixed(2)} ×`, color: '#b8423c' },
    ],
    ...(axisMax !== undefined && { axisMax }),
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'makespan',
    title: 'Makespan against a consumer group, polling, RabbitMQ and a Kafka share group',
    parameters: {
      jobCount, consumerCount, slowConsumers: consumerCount / 4, slowdown, seed, durations, producerLoops, pollIntervalMs, totalWorkMs: totalWork, capacityWeightedConsumers: round(capacity), longestJobMs: longest, lowerBoundMs: round(lowerBoundMs),
      ...(context.variants && { variants: context.variants }),
    },
    headline,
    results: { lowerBoundMs: round(lowerBoundMs), variants: outcomes },
  });
}

/**
 * Issue #18's goal, per backend: Handoff's best way in (the shortest makespan of send, dispatch, submit
 * and the intake) within 1.03 × the bound, sooner than RabbitMQ with prefetch 1 and than the better
 * share-group setting in the same run, with an idle p50 of 5 ms at most.
 */
function bestWayRows(outcomes: Outcome[], lowerBoundMs: number, jobCount: number): HeadlineRow[] {
  const ran = outcomes.filter(wasRun).filter((outcome) => outcome.completed === jobCount);
  const rabbit = ran.find((outcome) => outcome.variant === 'd. RabbitMQ, prefetch 1');
  const share = ran.filter((outcome) => outcome.variant.startsWith('e.')).sort((x, y) => x.makespanMs - y.makespanMs)[0];
  const ratio = (outcome: VariantResult) => `${(outcome.makespanMs / lowerBoundMs).toFixed(3)} ×`;
  return (['postgres', 'pglite'] as const).flatMap((backend) => {
    const ways = ran.filter((outcome) => outcome.variant.startsWith('b.') && outcome.variant.endsWith(backendLabel[backend]));
    const best = ways.sort((x, y) => x.makespanMs - y.makespanMs)[0];
    if (!best) return [];
    const met =
      best.makespanMs <= bestGoalRatio * lowerBoundMs &&
      best.idleGapMs.p50 <= goalIdleP50Ms &&
      rabbit !== undefined &&
      best.makespanMs < rabbit.makespanMs &&
      share !== undefined &&
      best.makespanMs < share.makespanMs;
    const way = best.variant.slice(3).replace(`, ${backendLabel[backend]}`, '').replace(/^Handoff /, '');
    return [
      {
        metric: `Handoff's best way in, ${backendLabel[backend]}, against the peers in the same run (makespan ÷ lower bound; idle p50)`,
        value: `${way}: ${ratio(best)}, ${best.idleGapMs.p50.toFixed(1)} ms; RabbitMQ prefetch 1: ${rabbit ? ratio(rabbit) : 'not run'}; best share group: ${share ? `${ratio(share)} (${share.variant.slice(22)})` : 'not run'}`,
        goal: `≤ ${bestGoalRatio.toFixed(2)} ×, below both peers; ≤ ${goalIdleP50Ms} ms`,
        status: verdict(met),
      },
    ];
  });
}

/** The table's last column: what only some ways have (polling's request rate, the share group's batches). */
function notes(variant: VariantResult): string {
  if (typeof variant.requestsPerSecond === 'number') return `${variant.requestsPerSecond} polls/s`;
  if (typeof variant.recordsPerPoll === 'number') return `${variant.recordsPerPoll} records/poll, ${String(variant.redeliveries)} redelivered`;
  if (typeof variant.submitMs === 'number') return `all submitted in ${(variant.submitMs / 1000).toFixed(2)} s`;
  if (typeof variant.produceMs === 'number') return `all produced in ${(variant.produceMs / 1000).toFixed(2)} s`;
  return '';
}

/** A chart group per kind of way, named with the server it ran on where that is known. */
function chartGroupLabel(kind: string, members: Outcome[], context: RunContext): string {
  const server = members.filter(wasRun).map((member) => member.server).find((value): value is string => typeof value === 'string');
  switch (kind) {
    case 'a':
      return `Kafka consumer group (kafkajs; Kafka ${context.machine.kafka.split(' (')[0]})`;
    case 'b':
      return 'Handoff';
    case 'c':
      return 'Polling (the seed’s design)';
    case 'd':
      return `RabbitMQ${server ? ` (${server.replace(/^RabbitMQ /, '')})` : ''}: amqplib, 16 consumers, manual ack`;
    case 'e':
      return `Kafka share group${server ? ` (${server.replace(/^Kafka /, '')})` : ''}: 16 KafkaShareConsumers, 1 partition, explicit ack`;
    default:
      return '';
  }
}

/** The bar's own label inside its group: what tells it from the others of its kind. */
function chartBarLabel(variant: string): string {
  return variant
    .slice(3)
    .replace(/^Kafka consumer group \((.*)\)$/, '$1, one per consumer')
    .replace(/^Handoff SDK /, 'SDK ')
    .replace(/^Handoff Kafka intake \(kafkajs producer\)/, 'Kafka intake')
    .replace(/^Polling /, '')
    .replace(/^RabbitMQ, /, '')
    .replace(/^Kafka share group, /, '');
}
