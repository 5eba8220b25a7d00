// Committed consumer changes and assignments to waiting producers, as announced by the database
// (NOTIFY), fanned out in this process: the domain's ChangeSource. Subscriptions and the waiting
// producers listen here.
import { assignmentsChannel, changesChannel, parseAssignment, parseChange } from '../coordinator/changes.js';
import type { Assignment, ChangeSource } from '../coordinator/ports.js';
import type { ConsumerChange } from '../coordinator/types.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';

export interface ChangeFeed extends ChangeSource {
  close(): Promise<void>;
}

export async function startChangeFeed(db: Pick<Database, 'listen'>, log: Logger): Promise<ChangeFeed> {
  const changeHandlers = new Set<(change: ConsumerChange) => void>();
  const gapHandlers = new Set<() => void>();
  const assignmentHandlers = new Set<(assignment: Assignment) => void>();

  const unlisten = await db.listen(changesChannel, {
    payload(payload) {
      let change: ConsumerChange;
      try {
        change = parseChange(payload);
      } catch (error) {
        log.error({ err: error, payload: payload.slice(0, 500) }, 'unreadable change notification');
        return;
      }
      for (const handler of changeHandlers) handler(change);
    },
    reconnected() {
      log.warn('change feed reconnected; re-reading state');
      for (const handler of gapHandlers) handler();
    },
    error(error) {
      log.error({ err: error }, 'change feed connection lost');
    },
  });

  const unlistenAssignments = await db.listen(assignmentsChannel, {
    payload(payload) {
      let assignment: Assignment;
      try {
        assignment = parseAssignment(payload);
      } catch (error) {
        log.error({ err: error, payload: payload.slice(0, 500) }, 'unreadable assignment notification');
        return;
      }
      for (const handler of assignmentHandlers) handler(assignment);
    },
    // A gap here is covered by the waiters themselves: each re-reads its job when the feed reconnects.
    reconnected() {
      for (const handler of gapHandlers) handler();
    },
    error(error) {
      log.error({ err: error }, 'assignment feed connection lost');
    },
  });

  const register = <T>(set: Set<T>, handler: T) => {
    set.add(handler);
    return () => void set.delete(handler);
  };

  return {
    onChange: (handler) => register(changeHandlers, handler),
    onGap: (handler) => register(gapHandlers, handler),
    onAssignment: (handler) => register(assignmentHandlers, handler),
    close: async () => {
      await unlistenAssignments();
      await unlisten();
    },
  };
}
