// The Python quickstart (examples/python/) against a real server and broker: two Python consumers, one
// 10× slower, and the Python producer sending, dispatching, submitting and writing jobs to the Kafka
// intake — each job runs once and the slow consumer does fewer — and a consumer that drains on SIGTERM.
// Each process has its own key: a CONSUMER key per consumer and a PRODUCER key of the pool, as in production.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKey, DispatchJob, GetConsumer, GetLease } from '../src/client/operations.js';
import { type Harness, eventually, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, testKafka } from './support/kafka.js';
import { python, pythonTestsRun } from './support/python.js';

/** A Python example running as a process of its own, its output kept line by line. */
class PythonProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(script: string, args: string[], env: Record<string, string>) {
    this.child = spawn(python, [`examples/python/${script}`, ...args], {
      env: { ...process.env, ...env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let partial = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString();
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      this.lines.push(...complete);
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The first line matching `pattern`, waiting for it; fails with what the process printed. */
  async line(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return eventually(() => this.lines.find((line) => pattern.test(line)), timeoutMs).catch((error: unknown) => {
      throw new Error(`no line ${pattern} in:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`, { cause: error });
    });
  }

  /** Values of the jobs it completed (the `value=` of each "completed" line). */
  completed(): string[] {
    return this.lines.filter((line) => line.startsWith('completed ')).map((line) => line.slice(line.indexOf('value=') + 6));
  }

  async succeeded(): Promise<void> {
    const code = await this.exited;
    if (code !== 0) throw new Error(`${this.child.spawnargs.join(' ')} exited with ${code}:\n${this.lines.join('\n')}\n${this.stderr}`);
  }

  terminate(): void {
    this.child.kill('SIGTERM');
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe.runIf(pythonTestsRun('the Python examples test') && kafkaBrokers)('the Python consumer and producer with a real broker', () => {
  let h: Harness;
  const running: PythonProcess[] = [];
  beforeAll(async () => {
    h = await startHarness('postgres', {
      kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      // The intake's consumer group (<prefix>.intake) and topics are this server's alone.
      topicPrefix: unique('python'),
      intake: { enabled: true, partitions: 2, refreshMs: 1_000 },
    });
  });
  afterEach(() => running.splice(0).forEach((child) => child.kill()));
  afterAll(() => h?.close());

  const key = async (input: { role: 'CONSUMER' | 'PRODUCER'; pool: string; consumerId?: string }) =>
    (await h.client.request(CreateApiKey, { input })).createApiKey.token;

  const environment = (token: string) => ({ HANDOFF_URL: h.server.url, HANDOFF_TOKEN: token, KAFKA_BROKERS: kafkaBrokers });

  /** A Python consumer with its own CONSUMER key, started and FREE. */
  async function startConsumer(pool: string, id: string, workMs: number): Promise<PythonProcess> {
    const token = await key({ role: 'CONSUMER', pool, consumerId: id });
    const consumer = new PythonProcess('consumer.py', [id, '--pool', pool, '--work-ms', String(workMs), '--heartbeat-s', '1'], environment(token));
    running.push(consumer);
    await consumer.line(/^ready /, 60_000);
    return consumer;
  }

  it('2 consumers, one 10× slower, and a producer that sends, dispatches, submits and writes to the intake: every job once, the slow one does fewer', async () => {
    const pool = unique('py');
    const [fast, slow] = await Promise.all([startConsumer(pool, `${pool}-fast`, 100), startConsumer(pool, `${pool}-slow`, 1_000)]);
    const producerEnv = environment(await key({ role: 'PRODUCER', pool }));
    const producers = [
      new PythonProcess('producer.py', ['send', '24', '--pool', pool, '--prefix', 'sent'], producerEnv),
      new PythonProcess('producer.py', ['dispatch', '4', '--pool', pool, '--prefix', 'dispatched'], producerEnv),
      new PythonProcess('producer.py', ['submit', '4', '--pool', pool, '--prefix', 'submitted'], producerEnv),
      new PythonProcess('producer.py', ['intake', '4', '--pool', pool, '--prefix', 'written', '--priority', '1'], producerEnv),
    ];
    running.push(...producers);
    await Promise.all(producers.map((producer) => producer.succeeded()));
    const expected = [
      ...Array.from({ length: 24 }, (_, i) => `sent-${i}`),
      ...Array.from({ length: 4 }, (_, i) => `dispatched-${i}`),
      ...Array.from({ length: 4 }, (_, i) => `submitted-${i}`),
      ...Array.from({ length: 4 }, (_, i) => `written-${i}`),
    ].map((job) => JSON.stringify({ job }).replace(':', ': ')); // Python's json.dumps puts a space after the colon
    await eventually(() => (fast.completed().length + slow.completed().length >= expected.length ? true : undefined), 90_000);

    fast.terminate();
    slow.terminate();
    await Promise.all([fast.succeeded(), slow.succeeded()]);
    // Nothing ran twice, nothing was skipped or late, and each consumer left the registry.
    expect([...fast.completed(), ...slow.completed()].sort()).toEqual([...expected].sort());
    for (const consumer of [fast, slow]) expect(consumer.lines.filter((line) => /^(skipped|late|failed) /.test(line))).toEqual([]);
    const completed = await h.db.prisma.lease.count({ where: { pool, state: 'COMPLETED' } });
    expect(completed).toBe(expected.length);
    console.log(`Python consumers: fast ${fast.completed().length} jobs, slow ${slow.completed().length}`);
    expect(slow.completed().length).toBeLessThan(fast.completed().length);
    for (const id of [`${pool}-fast`, `${pool}-slow`]) expect((await h.client.request(GetConsumer, { id })).consumer).toBeNull();
  }, 180_000);

  it('on SIGTERM a consumer declares DRAINING at once, finishes the job in hand, commits it, and deregisters', async () => {
    const pool = unique('pydrain');
    const id = `${pool}-c1`;
    const consumer = await startConsumer(pool, id, 3_000);
    const { dispatch } = await h.client.request(DispatchJob, { pool, message: { key: 'long', value: 'a long job' }, waitMs: 10_000 });
    await consumer.line(/^started /);
    consumer.terminate();
    // Told DRAINING while the job still runs: no new job can reach it.
    await eventually(async () => {
      const seen = (await h.client.request(GetConsumer, { id })).consumer;
      return seen?.declaredStatus === 'DRAINING' ? seen : undefined;
    }, 10_000);
    expect(consumer.completed()).toEqual([]);
    await consumer.succeeded();
    expect(consumer.completed()).toEqual(['a long job']);
    expect((await h.client.request(GetLease, { id: dispatch.lease.id })).lease?.state).toBe('COMPLETED');
    expect((await h.client.request(GetConsumer, { id })).consumer).toBeNull();
    // The offset was committed after the lease completed: a restart would not read the job again.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: `handoff-consumer.${id}`, topics: [dispatch.topic] });
      expect(topic?.partitions[0]?.offset).toBe('1');
    } finally {
      await admin.disconnect();
    }
  }, 90_000);
});
