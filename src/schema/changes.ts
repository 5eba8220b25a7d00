// Committed consumer changes, as GraphQL subscriptions consume them: the change source fanned out
// through Yoga's pubsub, one topic per pool and one for every pool.
import { setMaxListeners } from 'node:events';
import { type PubSub, createPubSub } from 'graphql-yoga';
import type { ChangeSource } from '../coordinator/ports.js';
import type { ConsumerChange } from '../coordinator/types.js';

export type ChangeTopics = {
  /** Changes in one pool. */
  consumerChangedInPool: [pool: string, change: ConsumerChange];
  /** Changes in every pool. */
  consumerChanged: [change: ConsumerChange];
};

export type ChangePubSub = PubSub<ChangeTopics>;

/** Publishes every change of `source`; returns the pubsub and the function that stops publishing. */
export function publishChanges(source: ChangeSource): { pubsub: ChangePubSub; stop: () => void } {
  // Subscriptions are keyed by pool; one topic may have thousands of listeners, which is expected here.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubsub = createPubSub<ChangeTopics>({ eventTarget });
  const stop = source.onChange((change) => {
    pubsub.publish('consumerChangedInPool', change.consumer.pool, change);
    pubsub.publish('consumerChanged', change);
  });
  return { pubsub, stop };
}
