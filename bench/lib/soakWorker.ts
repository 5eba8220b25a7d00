// A soak consumer in a process of its own, so the soak can pause it (SIGSTOP … SIGCONT) the way a GC
// pause, a frozen container or a laptop lid would. It tells the soak over IPC when a job starts, when
// its handler finished it, and when its signal aborted it (the lease was lost); it leaves when told to
// stop, when the soak disconnects, or when the soak is gone.
//   tsx bench/lib/soakWorker.ts <url,url…> <id> <pool> <brokers> <token>
import { HandoffConsumer } from '../../src/client/index.js';
import { sleep } from './stats.js';

/** What a worker tells the soak. */
export type WorkerEvent = { kind: 'ready' } | { kind: 'start' | 'done' | 'aborted'; value: string; attempt: number };

const [urls, id, pool, brokers, token] = process.argv.slice(2);
if (!urls || !id || !pool || !brokers || !token || !process.send) throw new Error('usage (with an IPC channel): soakWorker.ts <url,url…> <id> <pool> <brokers> <token>');
const tell = (event: WorkerEvent) => process.send?.(event);

const consumer = new HandoffConsumer({
  url: urls.split(','),
  headers: { authorization: `Bearer ${token}` },
  id,
  pool,
  kafka: { brokers: brokers.split(',') },
  heartbeatIntervalMs: 1_000,
  onError: () => {}, // pauses make errors (lost leases, late calls); the soak counts what matters from the events
  handler: async (job) => {
    tell({ kind: 'start', value: job.value, attempt: job.attempt });
    // Longer than the in-process consumers' jobs, so a pause usually lands mid-job.
    await sleep(200 + Math.random() * 600, job.signal);
    // As a handler should before it makes its result count: ask Handoff whether the lease is still
    // this consumer's. A process resumed from a pause fires its overdue timers first, so the news in its
    // sockets (the session's OFFLINE) may not have been read yet; the signal alone would come too late.
    try {
      await job.confirmLease();
    } catch (error) {
      // The lease is gone (the SDK completes nothing), or Handoff could not be asked: the job fails and
      // goes to another consumer. Either way this one does not finish it.
      tell({ kind: 'aborted', value: job.value, attempt: job.attempt });
      throw error;
    }
    tell({ kind: 'done', value: job.value, attempt: job.attempt });
  },
});

const leave = async () => {
  await consumer.stop().catch(() => consumer.abort());
  process.exit(0);
};
process.on('message', (message) => {
  if (message === 'stop') void leave();
});
process.on('disconnect', () => void leave());
// A soak killed outright leaves no worker behind.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1_000).unref();

await consumer.start();
tell({ kind: 'ready' });
