// The seed's design, as the benchmarks' baseline: a producer asks `nextFreeConsumer` every interval
// and, when one is free, claims it. Used by the makespan and latency scenarios.
import { type GraphQLClient, HandoffError } from '../../src/client/graphqlClient.js';
import { ClaimFreeConsumer, NextFreeConsumer } from '../../src/client/operations.js';
import type { LeaseFieldsFragment } from '../../src/client/generated/graphql.js';
import { sleep } from './stats.js';

export interface PollCounter {
  /** GraphQL requests sent (each is at least one database statement). */
  requests: number;
}

/** Polls until a claim succeeds (or `signal` aborts: undefined). */
export async function claimByPolling(
  client: GraphQLClient,
  pool: string,
  intervalMs: number,
  counter: PollCounter,
  signal?: AbortSignal,
): Promise<LeaseFieldsFragment | undefined> {
  while (!signal?.aborted) {
    counter.requests += 1;
    const { nextFreeConsumer } = await client.request(NextFreeConsumer, { pool });
    if (nextFreeConsumer) {
      try {
        counter.requests += 1;
        return (await client.request(ClaimFreeConsumer, { pool, ttlMs: 30_000 })).claimFreeConsumer;
      } catch (error) {
        // Another producer took it between the peek and the claim: poll again.
        if (!(error instanceof HandoffError && error.code === 'NO_FREE_CONSUMER')) throw error;
      }
    }
    await sleep(intervalMs);
  }
  return undefined;
}
