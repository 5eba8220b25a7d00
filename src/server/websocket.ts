// GraphQL over WebSocket (graphql-ws): every Yoga plugin applies to its operations too, each
// connection is bound to one API key (from connectionParams, or from its first operation as
// GraphiQL sends it), and subscriptions are limited per connection and per key.
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Context as GraphQLWsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { Limits } from '../config.js';
import { codedError, withClientErrorCode, withClientErrorCodes } from '../schema/errors.js';
import type { GraphQL } from './graphql.js';
import { rateLimited } from './limits.js';
import { type PrincipalLookup, authorizationIn, credentialProblem } from './principals.js';

/** graphql-ws's Unauthorized: a close its clients do not retry. */
const unauthorizedClose = 4401;

/** What a WebSocket carries: the key it is bound to (its id, and the Authorization value that named it). */
type WsExtra = Extra & { keyId?: string; authorization?: unknown } & Record<PropertyKey, unknown>;
type WsContext = GraphQLWsContext<Record<string, unknown>, WsExtra>;

interface EnvelopedRoot {
  execute(args: ExecutionArgs): ReturnType<typeof import('graphql').execute>;
  subscribe(args: ExecutionArgs): ReturnType<typeof import('graphql').subscribe>;
}

export interface WebSocketOptions {
  auth: boolean;
  limits: Limits;
  principals: PrincipalLookup;
  graphql: GraphQL;
}

/** Open graphql-ws connections by key: for the per-key subscription limit, and so a revocation closes them. */
export class KeyedConnections {
  private readonly byKey = new Map<string, Set<WsContext>>();

  add(keyId: string, connection: WsContext): void {
    const connections = this.byKey.get(keyId) ?? new Set();
    connections.add(connection);
    this.byKey.set(keyId, connections);
    connection.extra.socket.once('close', () => connections.delete(connection));
  }

  /** Closes every connection of a revoked key (4403). */
  closeKey(keyId: string): void {
    for (const connection of this.byKey.get(keyId) ?? []) connection.extra.socket.close(4403, 'API key revoked');
    this.byKey.delete(keyId);
  }

  /** Open subscriptions: of one key (across its connections), or of all. */
  openSubscriptions(keyId?: string): number {
    const groups = keyId === undefined ? [...this.byKey.values()] : [this.byKey.get(keyId) ?? new Set<WsContext>()];
    let open = 0;
    for (const connections of groups) for (const connection of connections) open += Object.keys(connection.subscriptions).length;
    return open;
  }
}

export function serveGraphqlOverWebSocket(webSockets: WebSocketServer, options: WebSocketOptions): KeyedConnections {
  const { auth, limits, principals, graphql } = options;
  const connections = new KeyedConnections();

  /** Ties a WebSocket to the key `authorization` names, for its operations, limits and revocation; returns the key's id. */
  const bindKey = async (ctx: WsContext, authorization: unknown): Promise<string | undefined> => {
    const principal = await principals(authorization);
    if (!principal) return undefined;
    connections.add(principal.id, ctx);
    ctx.extra.keyId = principal.id;
    ctx.extra.authorization = authorization;
    return principal.id;
  };

  useServer<Record<string, unknown>, WsExtra>(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const authorization = authorizationIn(ctx.connectionParams);
        if (auth && authorization === undefined) {
          // GraphiQL sends its headers with each operation (payload.extensions.headers) instead: the
          // key must then come with a subscribe within the init timeout, or the socket is closed.
          const timer = setTimeout(() => {
            if (ctx.extra.keyId === undefined) ctx.extra.socket.close(unauthorizedClose, 'Unauthorized: no API key came with the connection or its first operation');
          }, limits.connectionInitTimeoutMs);
          ctx.extra.socket.once('close', () => clearTimeout(timer));
          return true;
        }
        if ((await bindKey(ctx, authorization)) !== undefined) return true;
        // 4401, which graphql-ws clients (Apollo's among them) take as final; a 4403 they retry forever.
        ctx.extra.socket.close(unauthorizedClose, `Unauthorized: ${credentialProblem(authorization)}`);
        return false;
      },
      execute: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const offered = authorizationIn(payload.extensions?.headers as Record<string, unknown> | undefined);
        if (ctx.extra.keyId !== undefined && offered !== undefined && offered !== ctx.extra.authorization) {
          return [codedError('FORBIDDEN', 'a connection carries one API key; open another connection for another key')];
        }
        const keyId = ctx.extra.keyId ?? (await bindKey(ctx, offered));
        if (keyId === undefined) {
          return [
            codedError(
              'UNAUTHENTICATED',
              offered === undefined
                ? 'an API key is required: connectionParams.authorization, or headers.authorization in the extensions'
                : credentialProblem(offered),
            ),
          ];
        }
        if (Object.keys(ctx.subscriptions).length >= limits.maxSubscriptionsPerConnection) {
          return [rateLimited(`at most ${limits.maxSubscriptionsPerConnection} subscriptions per connection`)];
        }
        if (connections.openSubscriptions(keyId) >= limits.maxSubscriptionsPerKey) {
          return [rateLimited(`at most ${limits.maxSubscriptionsPerKey} subscriptions per API key`)];
        }
        // Every Yoga plugin (masking, limits, auth, metrics) applies to WebSocket operations too.
        const enveloped = graphql.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload });
        let document;
        let errors: readonly GraphQLError[];
        try {
          document = enveloped.parse(payload.query);
          // Limit plugins may throw their refusal rather than return it.
          errors = enveloped.validate(enveloped.schema, document);
        } catch (error) {
          if (error instanceof GraphQLError) return [withClientErrorCode(error)];
          throw error;
        }
        if (errors.length > 0) return errors.map(withClientErrorCode);
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => withClientErrorCodes(result),
    },
    webSockets,
  );
  return connections;
}
