// The one SchemaBuilder. Fields are non-null unless a field says otherwise.
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type { ApiKeys } from '../auth/apiKeys.js';
import { type Principal, actsFor, producesIn } from '../auth/principal.js';
import type { Coordinator } from '../coordinator/index.js';
import type { ChangePubSub } from './changes.js';
import { codedError } from './errors.js';

export interface Context {
  coordinator: Coordinator;
  /** Committed consumer changes, for subscriptions. */
  changes: ChangePubSub;
  keys: ApiKeys;
  /** The caller's API key; null when the request carries none, or an unknown or revoked one. */
  principal: Principal | null;
  /** Without a principal: why (no key, a malformed Authorization, an unknown or revoked key). */
  credentialProblem: string;
  /** Over graphql-ws only: the WebSocket the operation came on (the server puts it in the context); consumerSession pings it. */
  socket?: SessionSocket;
}

/** As much of a WebSocket (ws's) as a consumer session needs: ping it, hear its pongs, drop it. */
export interface SessionSocket {
  readonly readyState: number;
  ping(): void;
  on(event: 'pong', listener: () => void): unknown;
  off(event: 'pong', listener: () => void): unknown;
  terminate(): void;
}

/** Pool names are never empty, so this grants nothing: for a non-admin call that names no pool (a view across pools is ADMIN's). */
export const noPool = '';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  AuthScopes: {
    admin: boolean;
    /** A PRODUCER key that may act in this pool. */
    producer: string;
    /** A CONSUMER key that may act for this consumer: its id, and its pool as registered (null: not registered). */
    consumer: { id: string; pool: string | null };
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    // Refuse a subscription when it starts, not at its first event.
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      admin: ctx.principal?.role === 'ADMIN',
      producer: (pool) => producesIn(ctx.principal, pool),
      consumer: (consumer) => actsFor(ctx.principal, consumer),
    }),
    unauthorizedError: (_parent, ctx) =>
      ctx.principal
        ? codedError('FORBIDDEN', 'this API key may not do that')
        : codedError('UNAUTHENTICATED', ctx.credentialProblem),
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
