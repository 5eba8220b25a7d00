// Scenario 1, makespan: 16 consumers of mixed speed and a batch of heavy-tailed jobs, through
// (a) a plain kafkajs consumer group, (b) Handoff's SDK (HandoffProducer.send → next free consumer),
// (c) the seed's design (producers poll nextFreeConsumer every 100 ms, then claim).
import { randomBytes } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { HandoffConsumer, HandoffProducer } from '../../src/client/index.js';
import { GraphQLClient } from '../../src/client/graphqlClient.js';
import { AttachJob, ReleaseLease } from '../../src/client/operations.js';
import { type Backend, backendLabel, startBenchServer } from '../lib/infra.js';
import { claimByPolling } from '../lib/polling.js';
import { progressBar } from '../lib/progress.js';
import { type RunContext, type ScenarioResult, logVerdicts, table, verdict, writeResult } from '../lib/report.js';
import { pareto, round, roundSummary, seededRandom, sleep, summarize } from '../lib/stats.js';
import { barChart, palette } from '../lib/svg.js';

const consumerCount = 16;
const slowdown = 5; // a quarter of the consumers take 5× as long for the same job
const speedOf = (consumer: number) => (consumer % 4 === 3 ? slowdown : 1);
const seed = 20_240_601;
// Pareto, mean ≈ 240 ms, a few jobs near the cap. Long enough that Handoff's per-job round trips
// (≈ 20 ms on the 2-core reference machine, see bench/README.md) are a small part of each job.
const durations = { scaleMs: 125, shape: 2, capMs: 2_000 };
const producerLoops = 32; // jobs waiting at once: twice the consumers, so a freed consumer always has a taker
const pollIntervalMs = 100;
const goalRatio = 1.1; // Handoff's makespan within 10% of the lower bound
const goalSpeedup = 2; // and at least twice as soon as the consumer group

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

  summary(variant: string, extra: Record<string, unknown> = {}) {
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
      waitMs: roundSummary(summarize(waits)),
      perConsumer: perConsumer.map((load) => ({ ...load, busyMs: round(load.busyMs) })),
      ...extra,
    };
  }
}
type VariantResult = ReturnType<Schedule['summary']>;

/** Grey for the consumer group, blue for Handoff, orange for polling: the same in every chart. */
const variantColor = (variant: string) => (variant.startsWith('a.') ? '#8a8a8a' : variant.startsWith('b.') ? palette[0] : palette[1]);

function makeJobs(count: number): JobSpec[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, n) => ({ n, ms: Math.round(pareto(random, durations.scaleMs, durations.shape, durations.capMs)) }));
}

/** Waits for the schedule, showing progress; gives up at the deadline (the result says how many finished). */
async function watch(label: string, schedule: Schedule, deadlineMs: number): Promise<void> {
  const bar = progressBar(label, schedule.jobs.length);
  const timer = setInterval(() => bar.update(schedule.finishedAt.size), 200);
  await Promise.race([schedule.done, sleep(deadlineMs)]);
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

/** 16 HandoffConsumers whose handler runs the current schedule's jobs at their speed. */
async function startConsumers(url: string, headers: Record<string, string>, context: RunContext, pool: string, current: () => Schedule | undefined) {
  const consumers = Array.from(
    { length: consumerCount },
    (_, index) =>
      new HandoffConsumer({
        url,
        headers,
        id: `${pool}-c${index}`,
        pool,
        kafka: { brokers: context.kafkaBrokers.split(',') },
        onError: (error) => context.log(`consumer ${index}: ${String(error)}`),
        handler: async (job) => {
          await current()?.run(Number(job.value), index);
        },
      }),
  );
  await Promise.all(consumers.map((consumer) => consumer.start()));
  return consumers;
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

  const variants: VariantResult[] = [];
  variants.push(await consumerGroup(context, jobs, deadlineMs));
  for (const backend of backends) {
    const server = await startBenchServer(backend, { kafkaBrokers: context.kafkaBrokers });
    const pool = `mk-${randomBytes(3).toString('hex')}`;
    let schedule: Schedule | undefined;
    const consumers = await startConsumers(server.url, server.headers, context, pool, () => schedule);
    try {
      for (const mode of ['send', 'dispatch'] as const) {
        schedule = new Schedule(jobs);
        await handoffSend(server.url, server.headers, context, pool, schedule, mode, `makespan: Handoff ${mode} ${backend}`, deadlineMs);
        variants.push(schedule.summary(`b. Handoff SDK ${mode}, ${backendLabel[backend]}`));
        await sleep(500); // the last completions land before the next batch starts
      }
      if (backend === 'postgres') {
        schedule = new Schedule(jobs);
        const polling = await handoffPolling(server.url, server.headers, context, pool, schedule, deadlineMs);
        variants.push(schedule.summary(`c. Polling every ${pollIntervalMs} ms, ${backendLabel[backend]}`, polling));
      }
    } finally {
      await Promise.all(consumers.map((consumer) => consumer.stop().catch(() => consumer.abort())));
      await server.stop();
    }
  }

  const group = variants[0]!;
  const rows = variants.map((variant) => {
    const slow = variant.perConsumer.filter((load) => load.slowdown > 1);
    const fast = variant.perConsumer.filter((load) => load.slowdown === 1);
    const mean = (loads: typeof slow) => loads.reduce((sum, load) => sum + load.jobs, 0) / loads.length;
    return [
      variant.variant,
      `${(variant.makespanMs / 1000).toFixed(2)} s`,
      (variant.makespanMs / lowerBoundMs).toFixed(2),
      (group.makespanMs / variant.makespanMs).toFixed(2),
      `${(variant.waitMs.p50 / 1000).toFixed(2)} s`,
      `${(variant.waitMs.p99 / 1000).toFixed(2)} s`,
      `${mean(fast).toFixed(0)} / ${mean(slow).toFixed(0)}`,
      `${(variant.busyShare * 100).toFixed(0)}%`,
      `${variant.idlePerJobMs.toFixed(0)} ms`,
      `${variant.completed}/${jobCount}`,
      'requestsPerSecond' in variant ? String(variant.requestsPerSecond) : '–',
    ];
  });
  context.log(`\nMakespan: ${jobCount} jobs (Pareto, mean ${(totalWork / jobCount).toFixed(0)} ms, longest ${longest} ms), ${consumerCount} consumers (4 are ${slowdown}× slower); lower bound ${(lowerBoundMs / 1000).toFixed(2)} s`);
  context.log(table([['variant', 'makespan', '× bound', 'group ÷ this', 'wait p50', 'wait p99', 'jobs fast/slow', 'busy', 'idle/job', 'done', 'polls/s'], ...rows]));

  const headline = variants
    .filter((variant) => variant.variant.startsWith('b.'))
    .flatMap((variant) => {
      const ratio = variant.makespanMs / lowerBoundMs;
      const speedup = group.makespanMs / variant.makespanMs;
      return [
        { metric: `Makespan, ${variant.variant.slice(3)}`, value: `${(variant.makespanMs / 1000).toFixed(2)} s = ${ratio.toFixed(3)} × lower bound`, goal: `≤ ${goalRatio.toFixed(2)} × lower bound`, status: verdict(ratio <= goalRatio && variant.completed === jobCount) },
        { metric: `Speed-up over a consumer group, ${variant.variant.slice(3)}`, value: `${speedup.toFixed(2)}×`, goal: `≥ ${goalSpeedup}×`, status: verdict(speedup >= goalSpeedup && variant.completed === jobCount) },
      ];
    });
  logVerdicts(context, headline);

  const svg = barChart({
    title: `Makespan: ${jobCount} heavy-tailed jobs on ${consumerCount} consumers (4 of them ${slowdown}× slower)`,
    subtitle: `lower bound ${(lowerBoundMs / 1000).toFixed(2)} s · ${context.machine.cpuCount} × ${context.machine.cpuModel}, ${context.machine.memoryGiB} GiB, Node ${context.machine.node}`,
    unit: 's',
    groups: [
      {
        label: '',
        bars: variants.map((variant) => ({
          label: variant.variant.replace(/^[abc]\. /, ''),
          value: variant.makespanMs / 1000,
          text: `${(variant.makespanMs / 1000).toFixed(1)} s (${(variant.makespanMs / lowerBoundMs).toFixed(2)} × bound)`,
          color: variantColor(variant.variant),
        })),
      },
    ],
    markers: [
      { value: lowerBoundMs / 1000, label: 'lower bound' },
      { value: (goalRatio * lowerBoundMs) / 1000, label: `goal: ${goalRatio.toFixed(2)} × bound`, color: '#3a9d5d' },
    ],
  });
  return writeResult(context, startedAt, svg, {
    scenario: 'makespan',
    title: 'Makespan against a consumer group and polling',
    parameters: { jobCount, consumerCount, slowConsumers: consumerCount / 4, slowdown, seed, durations, producerLoops, pollIntervalMs, totalWorkMs: totalWork, capacityWeightedConsumers: round(capacity), longestJobMs: longest, lowerBoundMs: round(lowerBoundMs) },
    headline,
    results: { lowerBoundMs: round(lowerBoundMs), variants },
  });
}
