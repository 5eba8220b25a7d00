// A HandoffConsumer in a process of its own, for tests that kill or pause it. Prints one line per
// event: "ready"; "started <lease> <attempt>" when a job begins; "done <lease>" when its handler
// finished it (60 s of work by default); "aborted <lease> <ms>" when the job's signal aborted, with the
// ms since the process was last resumed (SIGCONT; -1 if never); "lost <lease>" when the SDK reported
// the lease lost (LeaseLostError).
//   tsx test/support/workerProcess.ts <url[,url…]> <id> <pool> <brokers> <token> [leaseExtensionMs] [jobMs]
import { setTimeout as wait } from 'node:timers/promises';
import { HandoffConsumer, LeaseLostError } from '../../src/client/index.js';

const [urls, id, pool, brokers, token, extension, work] = process.argv.slice(2);
if (!urls || !id || !pool || !brokers || !token) {
  throw new Error('usage: workerProcess.ts <url[,url…]> <id> <pool> <brokers> <token> [leaseExtensionMs] [jobMs]');
}
const jobMs = Number(work ?? 60_000);

let resumedAt: number | undefined;
process.on('SIGCONT', () => (resumedAt = performance.now()));

const consumer = new HandoffConsumer({
  url: urls.split(','),
  headers: { authorization: `Bearer ${token}` },
  id,
  pool,
  kafka: { brokers: brokers.split(',') },
  heartbeatIntervalMs: 200,
  ...(extension && { leaseExtensionMs: Number(extension) }),
  handler: async (job) => {
    console.log(`started ${job.leaseId} ${job.attempt}`);
    // The work, cut short when the signal aborts.
    await wait(jobMs, undefined, { signal: job.signal }).catch((error: unknown) => {
      if (!job.signal.aborted) throw error;
    });
    if (job.signal.aborted) console.log(`aborted ${job.leaseId} ${resumedAt === undefined ? -1 : Math.round(performance.now() - resumedAt)}`);
    else console.log(`done ${job.leaseId}`);
  },
  onError: (error, job) => {
    if (error instanceof LeaseLostError) console.log(`lost ${error.leaseId}`);
    else console.error(`error${job ? ` ${job.leaseId}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  },
});
await consumer.start();
console.log('ready');
