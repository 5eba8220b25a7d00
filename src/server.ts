// Wiring: database → change feed → coordinator → GraphQL over HTTP, SSE and WebSocket, on one port.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { type ExecutionArgs, GraphQLError, type ExecutionResult } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type Plugin } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Context as GraphQLWsContext } from 'graphql-ws';
import type { Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { mutationRateLimit, queryShapeLimits, rateLimited } from './limits.js';
import { ApiKeys, revocationsChannel } from './auth/apiKeys.js';
import { announceFirstRunToken } from './auth/firstRun.js';
import { type Principal, unauthenticatedAdmin } from './auth/principal.js';
import type { Config } from './config.js';
import { Coordinator } from './coordinator/coordinator.js';
import { startSweeper } from './coordinator/sweeper.js';
import { serveDashboard } from './dashboard/serve.js';
import { type Database, openDatabase } from './db/database.js';
import { startChangeFeed } from './events/changeFeed.js';
import { KafkaGateway } from './kafka/gateway.js';
import { type Logger, inRequest } from './logger.js';
import { Metrics } from './metrics.js';
import { type Context, schema } from './schema/index.js';
import { codedError, maskError, withClientErrorCode, withClientErrorCodes } from './schema/errors.js';

export const graphqlPath = '/graphql';

export interface HandoffServer {
  /** http://host:port/graphql */
  readonly url: string;
  readonly port: number;
  readonly coordinator: Coordinator;
  readonly database: Database;
  /** Stops accepting, lets in-flight requests finish, closes subscriptions and the database. */
  close(): Promise<void>;
}

/** Rewrites pre-execution errors to BAD_USER_INPUT on HTTP and SSE responses. */
const useClientErrorCodes = (): Plugin => ({
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => withClientErrorCodes(item)));
    else if (!(Symbol.asyncIterator in result)) setResult(withClientErrorCodes(result));
  },
});

export async function startServer(config: Config, log: Logger): Promise<HandoffServer> {
  const database = await openDatabase(config);
  const feed = await startChangeFeed(database, log);
  const kafka = config.kafka ? new KafkaGateway(config.kafka, log) : undefined;
  const metrics = config.metrics ? new Metrics() : undefined;
  const coordinator = new Coordinator(database, feed, config, log, kafka, metrics);
  const stopSweeper = startSweeper(coordinator, config.sweepIntervalMs, log);
  const keys = new ApiKeys(database.prisma, config);
  await announceFirstRunToken(config, keys, log);

  /** The caller's key, from `Authorization: Bearer <token>` (HTTP, SSE) or graphql-ws connectionParams. */
  const principalFor = async (authorization: unknown): Promise<Principal | null> => {
    if (!config.auth) return unauthenticatedAdmin;
    const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    return token ? ((await keys.authenticate(token)) ?? null) : null;
  };
  // Open WebSockets by key: for the per-key subscription limit, and so a revocation (announced by the
  // database to every replica) closes them.
  const connectionsByKey = new Map<string, Set<WsContext>>();
  const stopRevocations = await database.listen(revocationsChannel, {
    payload(keyId) {
      keys.forget(keyId);
      for (const connection of connectionsByKey.get(keyId) ?? []) connection.extra.socket.close(4403, 'API key revoked');
      connectionsByKey.delete(keyId);
    },
  });

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: graphqlPath,
    // Every operation authenticates again: a key revoked a moment ago is refused at once.
    context: async (initial: { request?: Request; extra?: WsExtra }): Promise<Context> => ({
      coordinator,
      feed,
      keys,
      principal: await principalFor(initial.request?.headers.get('authorization') ?? initial.extra?.authorization),
    }),
    maskedErrors: { maskError: maskError(log) },
    graphiql: config.graphiql ? { subscriptionsProtocol: 'WS', title: 'Handoff' } : false,
    renderGraphiQL,
    landingPage: false,
    plugins: [
      useClientErrorCodes(),
      queryShapeLimits(config.limits),
      mutationRateLimit(config.limits),
      // Browsers may only send GraphQL as preflighted requests (or with this header): no CSRF.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      ...(metrics ? [metrics.yogaPlugin()] : []),
    ],
    logging: {
      debug: (...args) => log.debug({ args }, 'yoga'),
      info: (...args) => log.info({ args }, 'yoga'),
      warn: (...args) => log.warn({ args }, 'yoga'),
      // Yoga reports here every error maskError rewrote, domain refusals (NO_FREE_CONSUMER, …) included;
      // maskError itself logs the unexpected ones, at error level, with the request id.
      error: (...args) => log.debug({ args }, 'yoga: masked error'),
    },
  });

  /** Ready when the database answers with every migration applied and, if Kafka is configured, Kafka answers too. */
  const readiness = async () => {
    const [migrations, kafkaState] = await Promise.all([
      database.migrationState(),
      kafka ? kafka.isReachable().then((up) => (up ? 'up' : 'down')) : 'not configured',
    ]);
    const databaseUp = migrations !== 'unreachable';
    return {
      ready: migrations === 'applied' && kafkaState !== 'down',
      database: databaseUp ? 'up' : 'down',
      migrations: databaseUp ? migrations : 'unknown',
      kafka: kafkaState,
    };
  };

  // Requests in flight, so shutdown can wait for them; SSE streams are ended at once (clients reconnect).
  const inFlight = new Map<http.ServerResponse, { sse: boolean }>();
  /** Prometheus text; with auth on, only for an ADMIN key (Prometheus sends it as a bearer token). */
  const serveMetrics = async (req: http.IncomingMessage, res: http.ServerResponse, registry: Metrics) => {
    const caller = await principalFor(req.headers.authorization);
    if (caller?.role !== 'ADMIN') {
      res.writeHead(caller ? 403 : 401, { 'content-type': 'text/plain' }).end(caller ? 'an ADMIN key is required\n' : 'an API key is required\n');
      return;
    }
    const { contentType, body } = await registry.scrape({
      pools: () => coordinator.pools(),
      openSubscriptions: () => ({ ws: openWsSubscriptions(), sse: [...inFlight.values()].filter((request) => request.sse).length }),
    });
    res.writeHead(200, { 'content-type': contentType }).end(body);
  };

  const httpServer = http.createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    inRequest(requestId, () => route(req, res));
  });
  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    res.on('finish', () => {
      const entry = { method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) };
      if (res.statusCode >= 500) log.warn(entry, 'request failed');
      else log.debug(entry, 'request');
    });
    inFlight.set(res, { sse: req.headers.accept?.includes('text/event-stream') ?? false });
    res.on('close', () => inFlight.delete(res));
    const bodyRefusal = refuseBody(req, config.limits.maxBodyBytes);
    if (bodyRefusal) {
      res.writeHead(bodyRefusal.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ errors: [{ message: bodyRefusal.message, extensions: { code: 'BAD_USER_INPUT' } }] }));
      req.resume();
      return;
    }
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (req.url === '/ready') {
      readiness().then(
        (body) => res.writeHead(body.ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (error: unknown) => {
          log.error({ err: error }, 'readiness check failed');
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: false, error: 'the readiness check failed; see the log' }));
        },
      );
      return;
    }
    if (metrics && req.url === '/metrics') {
      serveMetrics(req, res, metrics).catch((error: unknown) => {
        log.error({ err: error }, 'could not collect metrics');
        if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      });
      return;
    }
    if (serveDashboard(req, res)) return;
    void yoga.handle(req, res);
  };
  const sockets = new Set<Duplex>();
  httpServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: graphqlPath, maxPayload: config.limits.maxBodyBytes });
  /** Ties a WebSocket to the key `authorization` names, for its operations, limits and revocation; returns the key's id. */
  const bindKey = async (ctx: WsContext, authorization: unknown): Promise<string | undefined> => {
    const principal = await principalFor(authorization);
    if (!principal) return undefined;
    const connections = connectionsByKey.get(principal.id) ?? new Set();
    connections.add(ctx);
    connectionsByKey.set(principal.id, connections);
    ctx.extra.socket.once('close', () => connections.delete(ctx));
    ctx.extra.keyId = principal.id;
    ctx.extra.authorization = authorization;
    return principal.id;
  };
  /** Open graphql-ws subscriptions on this replica: of one key (across its connections), or of all. */
  const openWsSubscriptions = (keyId?: string) => {
    const groups = keyId === undefined ? [...connectionsByKey.values()] : [connectionsByKey.get(keyId) ?? new Set<WsContext>()];
    let open = 0;
    for (const connections of groups) for (const connection of connections) open += Object.keys(connection.subscriptions).length;
    return open;
  };
  useServer<Record<string, unknown>, WsExtra>(
    {
      connectionInitWaitTimeout: config.limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const authorization = bearerIn(ctx.connectionParams);
        if (config.auth && authorization === undefined) {
          // GraphiQL sends its headers with each operation (payload.extensions.headers) instead: the
          // key must then come with a subscribe within the init timeout, or the socket is closed.
          const timer = setTimeout(() => {
            if (ctx.extra.keyId === undefined) ctx.extra.socket.close(4403, 'Forbidden: no API key');
          }, config.limits.connectionInitTimeoutMs);
          ctx.extra.socket.once('close', () => clearTimeout(timer));
          return true;
        }
        return (await bindKey(ctx, authorization)) !== undefined; // false: graphql-ws closes with 4403 Forbidden
      },
      execute: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const offered = bearerIn(payload.extensions?.headers as Record<string, unknown> | undefined);
        if (ctx.extra.keyId !== undefined && offered !== undefined && offered !== ctx.extra.authorization) {
          return [codedError('FORBIDDEN', 'a connection carries one API key; open another connection for another key')];
        }
        const keyId = ctx.extra.keyId ?? (await bindKey(ctx, offered));
        if (keyId === undefined) {
          return [codedError('UNAUTHENTICATED', 'an API key is required: connectionParams.authorization, or headers.authorization in the extensions')];
        }
        const { limits } = config;
        if (Object.keys(ctx.subscriptions).length >= limits.maxSubscriptionsPerConnection) {
          return [rateLimited(`at most ${limits.maxSubscriptionsPerConnection} subscriptions per connection`)];
        }
        if (openWsSubscriptions(keyId) >= limits.maxSubscriptionsPerKey) {
          return [rateLimited(`at most ${limits.maxSubscriptionsPerKey} subscriptions per API key`)];
        }
        // Every Yoga plugin (masking, limits, and later auth and metrics) applies to WebSocket operations too.
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload });
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
    wsServer,
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}${graphqlPath}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // graphql-ws clients treat 1001 (going away) as retryable: they reconnect, to another replica if there is one.
      for (const client of wsServer.clients) client.close(1001, 'server shutting down');
      for (const [res, request] of inFlight) if (request.sse) res.destroy();
      httpServer.closeIdleConnections();
      const deadline = Date.now() + config.shutdownGraceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const socket of sockets) socket.destroy();
      for (const client of wsServer.clients) client.terminate();
      await new Promise<void>((resolve, reject) => wsServer.close((error) => (error ? reject(error) : resolve())));
      await closed;
      await stopSweeper();
      await coordinator.close();
      await yoga.dispose();
      await feed.close();
      await stopRevocations();
      await kafka?.close();
      await database.close();
    })());

  return { url, port, coordinator, database, close };
}

/** What a WebSocket carries: the key it is bound to (its id, and the Authorization value that named it). */
type WsExtra = Extra & { keyId?: string; authorization?: unknown } & Record<PropertyKey, unknown>;
type WsContext = GraphQLWsContext<Record<string, unknown>, WsExtra>;

/** A body over the limit is refused before it is read (413); so is a POST whose size is not said (411). */
function refuseBody(req: http.IncomingMessage, maxBytes: number): { status: number; message: string } | undefined {
  if (req.method !== 'POST') return undefined;
  const length = req.headers['content-length'];
  if (length === undefined) return { status: 411, message: 'a POST must say its Content-Length' };
  if (Number(length) > maxBytes) return { status: 413, message: `the request body is over ${maxBytes} bytes` };
  return undefined;
}

/** The caller's X-Request-Id when it is a sensible one, else a new id; echoed in the response and in every log line. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** The `authorization` entry, in any letter case, of graphql-ws connectionParams (as the SDK sends it) or of an operation's extensions.headers (as GraphiQL does). */
function bearerIn(connectionParams: Record<string, unknown> | undefined): unknown {
  const name = Object.keys(connectionParams ?? {}).find((key) => key.toLowerCase() === 'authorization');
  return name === undefined ? undefined : connectionParams?.[name];
}

interface EnvelopedRoot {
  execute(args: ExecutionArgs): ReturnType<typeof import('graphql').execute>;
  subscribe(args: ExecutionArgs): ReturnType<typeof import('graphql').subscribe>;
}
