// Fills free slots with pending jobs when work arrives (a submit, a producer that starts waiting, a job
// sent back) and on every sweep: the statement that opens a slot fills it itself, so this covers
// work that arrives while slots are free, and a statement that could not see it.
import type { Logger } from '../logger.js';
import type { Deliveries } from './deliveries.js';
import type { Database } from './ports.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import { type FillTarget, assignSlots } from './sql/assignSlots.js';

/** Fills until nothing more can be assigned: one consumer per statement. The jobs to produce, and how many were assigned. */
export async function fillSlots(db: Database, target: FillTarget, settings: JobSettings): Promise<{ produce: AssignedJob[]; count: number }> {
  const produce: AssignedJob[] = [];
  let count = 0;
  for (;;) {
    const row = await assignSlots(db, target, settings);
    if (!row || row.count === 0) return { produce, count };
    produce.push(...row.assigned);
    count += row.count;
    // A given consumer is filled in one statement (it takes as many as it has slots for).
    if ('consumerId' in target) return { produce, count };
  }
}

export class Filler {
  private readonly passes = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly db: Database,
    private readonly settings: JobSettings,
    private readonly deliveries: Deliveries,
    private readonly log: Logger,
  ) {}

  /** Fills the pool's free slots in the background; one pass per pool at a time (a request during a pass runs one more). */
  fill(pool: string): void {
    const running = this.passes.get(pool);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    this.passes.set(pool, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          const { produce } = await fillSlots(this.db, { pool }, this.settings);
          this.deliveries.deliver(produce);
        } while (state.again);
      } catch (error) {
        // The database is unreachable or refused: the sweeper fills again on its next pass.
        this.log.error({ err: error, pool }, 'filling free slots failed');
      } finally {
        this.passes.delete(pool);
      }
    })();
  }

  async close(): Promise<void> {
    await Promise.all([...this.passes.values()].map((pass) => pass.done));
  }
}
