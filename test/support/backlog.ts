// Driving consumers by hand for the backlog's tests: what a consumer holds (read from the database),
// and completing it as the consumer would, so the order in which slots take jobs can be recorded.
import type { GraphQLClient } from '../../src/client/graphqlClient.js';
import { CompleteLease } from '../../src/client/operations.js';
import type { Database } from '../../src/db/database.js';

/** The active leases of a consumer, with their jobs' values, oldest first. */
export async function heldBy(db: Database, consumerId: string): Promise<{ leaseId: string; jobId: string | null; value: string | null }[]> {
  const leases = await db.prisma.lease.findMany({
    where: { consumerId, state: { in: ['CLAIMED', 'DISPATCHED'] } },
    orderBy: { claimedAt: 'asc' },
  });
  const jobs = await db.prisma.job.findMany({ where: { id: { in: leases.flatMap((lease) => (lease.jobId ? [lease.jobId] : [])) } } });
  const valueOf = new Map(jobs.map((job) => [job.id, job.messageValue]));
  return leases.map((lease) => ({ leaseId: lease.id, jobId: lease.jobId, value: lease.jobId ? (valueOf.get(lease.jobId) ?? null) : null }));
}

/**
 * Completes whatever the consumer holds, one lease at a time, `count` times, and returns the values
 * of the jobs in the order it held them: the order its slot took them in.
 */
export async function runJobs(client: GraphQLClient, db: Database, consumer: { id: string; epoch: number }, count: number): Promise<(string | null)[]> {
  const order: (string | null)[] = [];
  while (order.length < count) {
    const [held] = await heldBy(db, consumer.id);
    if (!held) throw new Error(`consumer ${consumer.id} holds nothing after ${order.length} of ${count} jobs`);
    order.push(held.value);
    await client.request(CompleteLease, { id: held.leaseId, consumerId: consumer.id, epoch: consumer.epoch });
  }
  return order;
}

/**
 * Completes everything the consumers hold, spread over the clients (replicas) so the statements
 * race, until `total` completions; `sample` sees what was held before each round. How many completed.
 */
export async function completeEverything(
  clients: readonly GraphQLClient[],
  db: Database,
  consumers: readonly { id: string; epoch: number }[],
  total: number,
  sample: (held: Awaited<ReturnType<typeof heldBy>>) => void = () => {},
): Promise<number> {
  let completed = 0;
  for (let idle = 0; completed < total && idle < 200; ) {
    const byConsumer = await Promise.all(consumers.map((consumer) => heldBy(db, consumer.id)));
    sample(byConsumer.flat());
    if (byConsumer.every((held) => held.length === 0)) {
      idle += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    idle = 0;
    await Promise.all(
      byConsumer.flatMap((held, c) =>
        held.map(async (job, j) => {
          const consumer = consumers[c]!;
          await clients[(c + j) % clients.length]!.request(CompleteLease, { id: job.leaseId, consumerId: consumer.id, epoch: consumer.epoch });
          completed += 1;
        }),
      ),
    );
  }
  return completed;
}
