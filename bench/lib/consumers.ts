// Handoff SDK consumers as the scenarios run them: `count` HandoffConsumers in one pool, each running
// whatever the scenario's handler does with the job (sleep its duration, note its start, nothing).
import { type Job, HandoffConsumer } from '../../src/client/index.js';
import type { BenchServer } from './infra.js';
import type { RunContext } from './report.js';

export interface Consumers {
  consumers: HandoffConsumer[];
  /** Stops every consumer (drain), or aborts one that cannot stop cleanly. */
  stop(): Promise<void>;
}

/** Starts `count` consumers `<pool>-c<index>` on the run's Kafka; resolves once every one is registered and reading its topic. */
export async function startHandoffConsumers(
  context: RunContext,
  server: BenchServer,
  pool: string,
  count: number,
  handler: (job: Job, index: number) => Promise<void>,
): Promise<Consumers> {
  const consumers = Array.from(
    { length: count },
    (_, index) =>
      new HandoffConsumer({
        url: server.url,
        headers: server.headers,
        id: `${pool}-c${index}`,
        pool,
        kafka: { brokers: context.kafkaBrokers.split(',') },
        onError: (error) => context.log(`consumer ${index}: ${String(error)}`),
        handler: (job) => handler(job, index),
      }),
  );
  await Promise.all(consumers.map((consumer) => consumer.start()));
  return {
    consumers,
    async stop() {
      // abort() when stop() fails: the server is stopped next anyway, and the run goes on.
      await Promise.all(consumers.map((consumer) => consumer.stop().catch(() => consumer.abort())));
    },
  };
}
