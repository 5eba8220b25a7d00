// The soak's accounting: which consumer works on which job now, and what came of it. A job handed to a
// second consumer while a first still works on it is a double. A double with a consumer that was
// paused mid-job (and so judged OFFLINE, rightly: it could not be heard) is expected; what must hold is
// that the paused one then stops without finishing it. Any other double must never happen.

export class SoakLedger {
  /** Job → the consumers working on it now. */
  private readonly holders = new Map<string, Set<string>>();
  /** Consumer → the jobs it held when it was paused (and still holds). */
  private readonly pausedHolds = new Map<string, Set<string>>();
  /** Consumers paused at least once (a job they start after a pause may have been taken already, by the verdict). */
  private readonly everPaused = new Set<string>();
  /** `<consumer> <job>`: a job a paused consumer held that went to another meanwhile. */
  private readonly doubledWhilePaused = new Set<string>();
  /** Job → how many times a handler finished it. */
  readonly completedBy = new Map<string, number>();
  /** Handed to a second consumer while one that was never paused still worked on it: must be 0. */
  concurrentTwice = 0;
  /** Handed to another consumer while a paused one held it. */
  pausedDoubles = 0;
  /** … and the paused one, resumed, finished it anyway: must be 0. */
  pausedDoublesFinished = 0;
  /** … and the paused one, resumed, stopped it (its signal aborted). */
  pausedDoublesAborted = 0;
  /** Jobs whose signal aborted on a consumer never paused (its lease lost: a false OFFLINE, or a deadline). */
  lostByUnpaused = 0;
  /** Jobs whose signal aborted on a consumer that was paused once, other than the doubles above. */
  lostByPaused = 0;
  /** Jobs started with attempt > 1. */
  redeliveries = 0;

  started(job: string, consumer: string, attempt: number): void {
    if (attempt > 1) this.redeliveries += 1;
    const holders = this.holders.get(job) ?? new Set<string>();
    for (const other of holders) {
      if (this.pausedHolds.get(other)?.has(job)) {
        this.pausedDoubles += 1;
        this.doubledWhilePaused.add(`${other} ${job}`);
      } else {
        this.concurrentTwice += 1;
      }
    }
    holders.add(consumer);
    this.holders.set(job, holders);
  }

  /** The handler finished the job. */
  finished(job: string, consumer: string): void {
    if (!this.release(job, consumer)) return;
    if (this.doubledWhilePaused.delete(`${consumer} ${job}`)) this.pausedDoublesFinished += 1;
    this.completedBy.set(job, (this.completedBy.get(job) ?? 0) + 1);
  }

  /** The job's signal aborted: its lease was lost. */
  aborted(job: string, consumer: string): void {
    if (!this.release(job, consumer)) return;
    if (this.doubledWhilePaused.delete(`${consumer} ${job}`)) this.pausedDoublesAborted += 1;
    else if (this.everPaused.has(consumer)) this.lostByPaused += 1;
    else this.lostByUnpaused += 1;
  }

  /** The consumer crashed: nobody works on its jobs any more. */
  crashed(consumer: string): void {
    for (const [job, holders] of this.holders) if (holders.has(consumer)) this.release(job, consumer);
  }

  /** The consumer is being paused: the jobs it holds now are held by a paused consumer. */
  paused(consumer: string): void {
    const held = new Set<string>();
    for (const [job, holders] of this.holders) if (holders.has(consumer)) held.add(job);
    this.pausedHolds.set(consumer, held);
    this.everPaused.add(consumer);
  }

  /** How many jobs the consumer works on now. */
  holding(consumer: string): number {
    let count = 0;
    for (const holders of this.holders.values()) if (holders.has(consumer)) count += 1;
    return count;
  }

  /** Jobs finished more than once (at least once: a crash after the work, before its completion was recorded). */
  get completedTwice(): number {
    return [...this.completedBy.values()].filter((times) => times > 1).length;
  }

  private release(job: string, consumer: string): boolean {
    const holders = this.holders.get(job);
    if (!holders?.delete(consumer)) return false;
    if (holders.size === 0) this.holders.delete(job);
    this.pausedHolds.get(consumer)?.delete(job);
    return true;
  }
}
