// GraphQL over WebSocket (graphql-ws): every Yoga plugin applies to its operations too, and each
// connection is bound to one API key (from connectionParams, or from its first operation as GraphiQL
// sends it), checked before an operation is parsed. Subscription limits and revocation are shared
// with SSE (subscriptions.ts); this file closes a revoked key's sockets.
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { Context as GraphQLWsContext } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Limits } from '../config.js';
import { type ClientErrors, codedError } from '../schema/errors.js';
import type { GraphQL } from './graphql.js';
import { type PrincipalLookup, authorizationIn, credentialProblem } from './principals.js';

/** graphql-ws's Unauthorized: a close its clients do not retry. */
const unauthorizedClose = 4401;

/** The key a socket is bound to, or being bound to: the Authorization value that names it, and its lookup. */
interface Binding {
  authorization: unknown;
  principal: Promise<Principal | null>;
}

/** What a WebSocket carries: its binding, and once bound, the key's id and the Authorization value (read by the operation context). */
type WsExtra = Extra & { binding?: Binding; keyId?: string; authorization?: unknown } & Record<PropertyKey, unknown>;
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
  clientErrors: ClientErrors;
}

/** Open graphql-ws connections by key, so a revocation closes them. */
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
}

export function serveGraphqlOverWebSocket(webSockets: WebSocketServer, options: WebSocketOptions): KeyedConnections {
  const { auth, limits, principals, graphql, clientErrors } = options;
  const connections = new KeyedConnections();

  /**
   * Binds the socket to the key `authorization` names. The binding is set before the lookup is
   * awaited, so an operation arriving meanwhile sees it: two keys sent at the same moment cannot both bind.
   */
  const bind = async (ctx: WsContext, authorization: unknown): Promise<Principal | null> => {
    const binding: Binding = { authorization, principal: principals(authorization) };
    ctx.extra.binding = binding;
    const principal = await binding.principal;
    if (!principal) {
      // Refused: the socket is free to be bound by the next key offered.
      if (ctx.extra.binding === binding) delete ctx.extra.binding;
      return null;
    }
    connections.add(principal.id, ctx);
    ctx.extra.keyId = principal.id;
    ctx.extra.authorization = authorization;
    return principal;
  };

  /** The key an operation runs with, or why it may not run; decided before the operation is parsed. */
  const operationKey = async (ctx: WsContext, offered: unknown): Promise<Principal | GraphQLError> => {
    let binding = ctx.extra.binding;
    // A binding in progress decides first; if its key is refused, the socket is unbound again.
    while (binding !== undefined && (await binding.principal) === null) binding = ctx.extra.binding;
    if (binding === undefined) {
      if (offered === undefined) {
        return codedError('UNAUTHENTICATED', 'an API key is required: connectionParams.authorization, or headers.authorization in the extensions');
      }
      return (await bind(ctx, offered)) ?? codedError('UNAUTHENTICATED', credentialProblem(offered));
    }
    if (offered !== undefined && offered !== binding.authorization) {
      return codedError('FORBIDDEN', 'a connection carries one API key; open another connection for another key');
    }
    // Looked up again for each operation (from cache): a key revoked a moment ago is refused now.
    return (await principals(binding.authorization)) ?? codedError('UNAUTHENTICATED', credentialProblem(binding.authorization));
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
        if ((await bind(ctx, authorization)) !== null) return true;
        // 4401, which graphql-ws clients (Apollo's among them) take as final; a 4403 they retry forever.
        ctx.extra.socket.close(unauthorizedClose, `Unauthorized: ${credentialProblem(authorization)}`);
        return false;
      },
      execute: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const key = await operationKey(ctx, authorizationIn(payload.extensions?.headers as Record<string, unknown> | undefined));
        if (key instanceof GraphQLError) return [key];
        // Every Yoga plugin (masking, limits, subscription limits, metrics) applies to WebSocket operations too.
        const enveloped = graphql.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload });
        let document;
        let errors: readonly GraphQLError[];
        try {
          document = enveloped.parse(payload.query);
          // Limit plugins may throw their refusal rather than return it.
          errors = enveloped.validate(enveloped.schema, document);
        } catch (error) {
          if (error instanceof GraphQLError) return [clientErrors.error(error)];
          throw error;
        }
        if (errors.length > 0) return errors.map(clientErrors.error);
        return {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => clientErrors.result(result),
      // graphql-ws's own refusals ("Unable to identify operation") carry no code: they get theirs here.
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => clientErrors.error(error).toJSON()),
    },
    webSockets,
  );
  return connections;
}
