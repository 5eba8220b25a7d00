// The one port: HTTP routes (health, readiness, metrics, the dashboard, GraphQL over HTTP and SSE)
// and the WebSocket upgrade at /graphql, with request ids, body limits and a graceful close.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { serveDashboard } from '../dashboard/serve.js';
import { type Logger, inRequest } from '../logger.js';
import { type GraphQL, graphqlPath } from './graphql.js';

export interface Readiness {
  ready: boolean;
  [part: string]: unknown;
}

export interface Routes {
  graphql: GraphQL;
  ready: () => Promise<Readiness>;
  /** Prometheus text, when metrics are on; the Authorization header decides who may read it. */
  metrics?: ((authorization: string | undefined) => Promise<{ status: number; contentType: string; body: string }>) | undefined;
}

export interface HttpEndpoint {
  readonly server: http.Server;
  /** WebSocket connections upgrade here (graphql-ws attaches to it). */
  readonly webSockets: WebSocketServer;
  /** Starts listening; the GraphQL URL. */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Stops accepting, closes WebSockets with 1001 (graphql-ws clients reconnect, to another replica if
   * there is one), ends SSE streams, lets other requests finish within the grace period, then closes.
   */
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export function serveHttp(config: Config, log: Logger, routes: Routes): HttpEndpoint {
  // Requests in flight, so shutdown can wait for them; SSE streams are ended at once (clients reconnect).
  const inFlight = new Map<http.ServerResponse, { sse: boolean }>();

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
    if (req.url === '/health') return json(res, 200, { status: 'ok' });
    if (req.url === '/ready') {
      routes.ready().then(
        (body) => json(res, body.ready ? 200 : 503, body),
        (error: unknown) => {
          log.error({ err: error }, 'readiness check failed');
          json(res, 503, { ready: false, error: 'the readiness check failed; see the log' });
        },
      );
      return;
    }
    if (routes.metrics && req.url === '/metrics') {
      routes.metrics(req.headers.authorization).then(
        ({ status, contentType, body }) => res.writeHead(status, { 'content-type': contentType }).end(body),
        (error: unknown) => {
          log.error({ err: error }, 'could not collect metrics');
          if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
      return;
    }
    if (serveDashboard(req, res)) return;
    void routes.graphql.handle(req, res);
  };

  const server = http.createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    inRequest(requestId, () => route(req, res));
  });
  const sockets = new Set<Duplex>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const webSockets = new WebSocketServer({ server, path: graphqlPath, maxPayload: config.limits.maxBodyBytes });

  return {
    server,
    webSockets,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          const { port } = server.address() as AddressInfo;
          resolve({ url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}${graphqlPath}`, port });
        });
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of webSockets.clients) client.close(1001, 'server shutting down');
      for (const [res, request] of inFlight) if (request.sse) res.destroy();
      server.closeIdleConnections();
      const deadline = Date.now() + config.shutdownGraceMs;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const socket of sockets) socket.destroy();
      for (const client of webSockets.clients) client.terminate();
      await new Promise<void>((resolve, reject) => webSockets.close((error) => (error ? reject(error) : resolve())));
      await closed;
    },
  };
}

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
