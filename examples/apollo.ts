// Handoff from Apollo Client: HttpLink for queries and mutations, GraphQLWsLink (graphql-ws) for
// subscriptions. Apollo merges identical subscriptions — two awaitFreeConsumer calls with the same
// variables become one server waiter, and both callers get the same lease — so each job waits under
// a requestKey of its own: two keys are two waiters and two leases, and a resubscription with the
// same key (graphql-ws reconnecting after a dropped socket, or your own retry) gets the same lease,
// never a second slot.
//   HANDOFF_TOKEN=<a PRODUCER key of the pool> HANDOFF_URL=http://127.0.0.1:4000/graphql npx tsx examples/apollo.ts
import { pathToFileURL } from 'node:url';
import { ApolloClient, HttpLink, InMemoryCache, split } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface AwaitedLease {
  id: string;
  consumer: { id: string; topic: string };
}

export const AwaitFreeConsumer: TypedDocumentNode<{ awaitFreeConsumer: AwaitedLease }, { pool: string; requestKey?: string }> = parse(`
  subscription AwaitFreeConsumer($pool: String!, $requestKey: String) {
    awaitFreeConsumer(pool: $pool, requestKey: $requestKey) {
      id
      consumer { id topic }
    }
  }
`);

export interface HandoffApollo {
  apollo: ApolloClient;
  /** Stops Apollo and closes the WebSocket. */
  close(): Promise<void>;
}

/** An Apollo Client for Handoff: the key in HTTP headers and in graphql-ws connectionParams. */
export function handoffApolloClient(url: string, token: string, webSocketImpl: unknown = WebSocket): HandoffApollo {
  const authorization = `Bearer ${token}`;
  const http = new HttpLink({ uri: url, headers: { authorization } });
  const socket = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl, connectionParams: { authorization } });
  const ws = new GraphQLWsLink(socket);
  const isSubscription = ({ query }: { query: Parameters<typeof getMainDefinition>[0] }) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  const apollo = new ApolloClient({ link: split(isSubscription, ws, http), cache: new InMemoryCache() });
  return {
    apollo,
    close: async () => {
      apollo.stop();
      await socket.dispose();
    },
  };
}

/** Waits for a free consumer in `pool` — under a requestKey of its own, one per job — and resolves with its lease. */
export function awaitFreeConsumer(client: ApolloClient, variables: { pool: string; requestKey?: string }): Promise<AwaitedLease> {
  return new Promise((resolve, reject) => {
    const subscription = client.subscribe({ query: AwaitFreeConsumer, variables }).subscribe({
      next: ({ data, error }) => {
        subscription.unsubscribe();
        if (data) resolve(data.awaitFreeConsumer);
        else reject(error ?? new Error('awaitFreeConsumer ended without a lease'));
      },
      error: reject,
      complete: () => reject(new Error('awaitFreeConsumer completed without a lease')),
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const handoff = handoffApolloClient(process.env.HANDOFF_URL ?? 'http://127.0.0.1:4000/graphql', process.env.HANDOFF_TOKEN ?? '');
  // Two jobs, two keys: two leases, even though the two subscriptions are otherwise identical.
  const leases = await Promise.all(['image-1', 'image-2'].map((job) => awaitFreeConsumer(handoff.apollo, { pool: 'images', requestKey: job })));
  for (const lease of leases) console.log(`lease ${lease.id} → ${lease.consumer.id} (${lease.consumer.topic})`);
  await handoff.close();
}
