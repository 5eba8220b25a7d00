// The SDK end to end on a real broker: jobs go to the next free consumer, so a slow consumer does not
// hold work back the way a partition of a plain consumer group does. What holds at any speed is
// asserted here; how much sooner than a consumer group, and by what ratio, is measured by
// `npm run bench` (the makespan scenario): on a loaded machine a ratio of timings says nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffConsumer, HandoffProducer, type Job, LeaseLostError } from '../src/client/index.js';
import { GetConsumer, GetLease, RequeueLease } from '../src/client/operations.js';
import { backends } from './support/databases.js';
import { type Harness, adminHeaders, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';

const jobs = 200;
const fastMs = 100;
const slowMs = 1000; // one consumer is 10× slower
const speeds = [fastMs, fastMs, fastMs, slowMs];

describe.skipIf(!kafkaBrokers).each(backends)('the SDK on %s with a real Kafka broker', (backend) => {
  let h: Harness;
  const kafka = { brokers: kafkaBrokers.split(',') };
  beforeAll(async () => {
    h = await startHarness(backend, { kafka: { brokers: kafka.brokers, clientId: 'handoff-test', produceTimeoutMs: 5_000 } });
  });
  afterAll(() => h?.close());

  it('200 jobs, 4 consumers, one 10× slower: each job once, and the slow one does fewer than each fast one', async () => {
    const pool = unique('p');
    const processedBy = new Map<string, string[]>();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const consumers = speeds.map(
      (ms, index) =>
        new HandoffConsumer({
          url: h.server.url,
          headers: adminHeaders,
          id: `${pool}-c${index}`,
          pool,
          kafka,
          handler: async (job) => {
            await sleep(ms);
            seen.push(job.value);
            processedBy.set(`c${index}`, [...(processedBy.get(`c${index}`) ?? []), job.value]);
          },
          onError: (error) => errors.push(error),
        }),
    );
    await Promise.all(consumers.map((consumer) => consumer.start()));
    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });

    await Promise.all(Array.from({ length: jobs }, (_, i) => producer.send(pool, { key: `k${i}`, value: `job-${i}` }, { ttlMs: 60_000 })));
    await eventually(() => (seen.length >= jobs ? true : undefined), 120_000);
    await sleep(200); // anything processed twice would show up now

    expect(seen).toHaveLength(jobs);
    expect(new Set(seen).size).toBe(jobs);
    const counts = [0, 1, 2, 3].map((i) => processedBy.get(`c${i}`)?.length ?? 0);
    const slow = counts[3]!;
    // A slot goes to whoever is free: the consumer that takes 10× as long is free less often.
    for (const fast of counts.slice(0, 3)) expect(slow).toBeLessThan(fast);

    await producer.close();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    for (let i = 0; i < 4; i++) expect((await h.client.request(GetConsumer, { id: `${pool}-c${i}` })).consumer).toBeNull();

    console.log(`${backend}: per-consumer jobs ${counts.join('/')}`);
    expect(errors).toEqual([]);
  }, 180_000);

  // A process paused mid-job fires its overdue timers before it reads the news in its sockets, so a
  // handler whose work ends then sees its signal still unaborted although the job went to another.
  // Here the lease is taken away behind the consumer's back (an operator's requeue, which no session
  // announces): the signal alone does not know; job.confirmLease() asks Handoff and finds out.
  it("job.confirmLease() asks Handoff: resolves while the lease is held, extending it; once the lease is gone it rejects with the LeaseLostError, aborts the signal, and the job is completed only by its next lease", async () => {
    const pool = unique('p');
    const jobs: Job[] = [];
    const errors: unknown[] = [];
    let takeAway!: (job: Job) => void;
    const holding = new Promise<Job>((resolve) => (takeAway = resolve));
    let taken!: () => void;
    const takenAway = new Promise<void>((resolve) => (taken = resolve));
    const outcome: { abortedBefore?: boolean; refusal?: unknown } = {};
    const consumer = new HandoffConsumer({
      url: h.server.url,
      headers: adminHeaders,
      id: `${pool}-c`,
      pool,
      kafka,
      leaseExtensionMs: 120_000,
      handler: async (job) => {
        jobs.push(job);
        if (jobs.length > 1) return; // the same job on its next lease: done this time
        await job.confirmLease(); // held: resolves
        takeAway(job);
        await takenAway;
        outcome.abortedBefore = job.signal.aborted;
        outcome.refusal = await job.confirmLease().then(() => 'resolved', (error: unknown) => error);
      },
      onError: (error) => errors.push(error),
    });
    await consumer.start();
    const producer = new HandoffProducer({ url: h.server.url, headers: adminHeaders, kafka });
    await producer.dispatch(pool, { key: 'k', value: 'the job' });
    const first = await holding;
    // The confirmation extended the lease: it runs until about now + leaseExtensionMs, not the dispatch's deadline.
    const held = (await h.client.request(GetLease, { id: first.leaseId })).lease!;
    expect(held.state).toBe('DISPATCHED');
    expect(new Date(held.expiresAt!).getTime() - Date.now()).toBeGreaterThan(60_000);

    await h.client.request(RequeueLease, { id: first.leaseId, reason: 'taken away by the test' });
    taken();
    await eventually(() => (jobs.length === 2 ? true : undefined), 30_000);

    expect(outcome.abortedBefore).toBe(false); // what the signal alone says: the failure confirmLease closes
    expect(outcome.refusal).toBeInstanceOf(LeaseLostError);
    expect(outcome.refusal).toBe(first.signal.reason);
    expect((outcome.refusal as LeaseLostError).leaseId).toBe(first.leaseId);
    expect(first.signal.aborted).toBe(true);
    expect(errors.filter((error) => error instanceof LeaseLostError).map((error) => (error as LeaseLostError).leaseId)).toEqual([first.leaseId]);

    const second = jobs[1]!;
    expect([second.value, second.leaseId === first.leaseId]).toEqual(['the job', false]);
    await eventually(async () => ((await h.client.request(GetLease, { id: second.leaseId })).lease?.state === 'COMPLETED' ? true : undefined), 15_000);
    // The first lease stays as the operator left it: the SDK completed nothing on it.
    expect((await h.client.request(GetLease, { id: first.leaseId })).lease).toMatchObject({ state: 'RELEASED', endReason: 'requeued by an operator: taken away by the test' });
    await producer.close();
    await consumer.stop();
  }, 90_000);
});
