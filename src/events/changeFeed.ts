// Committed consumer changes, as announced by the database (NOTIFY), fanned out in this process:
// to GraphQL subscriptions through Yoga's pubsub, and to the coordinator's waiting line.
import { setMaxListeners } from 'node:events';
import { type PubSub, createPubSub } from 'graphql-yoga';
import type { Database, Unlisten } from '../db/database.js';
import { changesChannel, parseChange } from '../coordinator/changes.js';
import type { ConsumerChange } from '../coordinator/types.js';
import type { Logger } from '../logger.js';

export type ChangeTopics = {
  /** Changes in one pool. */
  consumerChangedInPool: [pool: string, change: ConsumerChange];
  /** Changes in every pool. */
  consumerChanged: [change: ConsumerChange];
};

export interface ChangeFeed {
  readonly pubsub: PubSub<ChangeTopics>;
  /** Calls `handler` for every change; returns the function that stops it. */
  onChange(handler: (change: ConsumerChange) => void): () => void;
  /** Calls `handler` when changes may have been missed (the database connection was lost and is back). */
  onGap(handler: () => void): () => void;
  close(): Promise<void>;
}

export async function startChangeFeed(db: Database, log: Logger): Promise<ChangeFeed> {
  // Subscriptions are keyed by pool; one topic may have thousands of listeners, which is expected here.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<ChangeTopics>({ eventTarget });
  const changeHandlers = new Set<(change: ConsumerChange) => void>();
  const gapHandlers = new Set<() => void>();

  const unlisten: Unlisten = await db.listen(changesChannel, {
    payload(payload) {
      let change: ConsumerChange;
      try {
        change = parseChange(payload);
      } catch (error) {
        log.error({ err: error, payload: payload.slice(0, 500) }, 'unreadable change notification');
        return;
      }
      // The waiting line first: its claim is a database round trip, started before the fan-out to
      // subscribers (which may be thousands) runs.
      for (const handler of changeHandlers) handler(change);
      pubsub.publish('consumerChangedInPool', change.consumer.pool, change);
      pubsub.publish('consumerChanged', change);
    },
    reconnected() {
      log.warn('change feed reconnected; re-reading state');
      for (const handler of gapHandlers) handler();
    },
    error(error) {
      log.error({ err: error }, 'change feed connection lost');
    },
  });

  const register = <T>(set: Set<T>, handler: T) => {
    set.add(handler);
    return () => void set.delete(handler);
  };

  return {
    pubsub,
    onChange: (handler) => register(changeHandlers, handler),
    onGap: (handler) => register(gapHandlers, handler),
    close: unlisten,
  };
}
