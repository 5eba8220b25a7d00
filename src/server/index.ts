// Wiring: database → change feed → coordinator → GraphQL over HTTP, SSE and WebSocket, on one port.
// Each part is opened in order and registered to close in reverse (see Closers).
import { ApiKeys, revocationsChannel } from '../auth/apiKeys.js';
import { announceFirstRunToken } from '../auth/firstRun.js';
import type { Config } from '../config.js';
import { intakePoolsChannel } from '../coordinator/channels.js';
import { createCoordinator } from '../coordinator/index.js';
import { type Database, openDatabase } from '../db/database.js';
import { startChangeFeed } from '../events/changeFeed.js';
import { KafkaGateway } from '../kafka/gateway.js';
import { KafkaIntake } from '../kafka/intake.js';
import type { Logger } from '../logger.js';
import { publishChanges } from '../schema/changes.js';
import { shapeClientErrors } from '../schema/errors.js';
import { Closers } from './closers.js';
import { createGraphQL } from './graphql.js';
import { type Readiness, serveHttp } from './http.js';
import { Metrics } from './metrics.js';
import { bearerPrincipals, credentialProblem } from './principals.js';
import { OpenSubscriptions } from './subscriptions.js';
import { serveGraphqlOverWebSocket } from './websocket.js';

export { graphqlPath } from './graphql.js';

export interface HandoffServer {
  /** http://host:port/graphql */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, closes subscriptions and the database. */
  close(): Promise<void>;
}

export interface ServerParts {
  /** A database the caller opened (and closes): tests keep it to inspect the tables. */
  database?: Database;
}

export async function startServer(config: Config, log: Logger, parts: ServerParts = {}): Promise<HandoffServer> {
  const closers = new Closers();
  try {
    return await compose(config, log, parts, closers);
  } catch (error) {
    // A part that failed to start: those already open are closed again.
    await closers.closeAll();
    throw error;
  }
}

async function compose(config: Config, log: Logger, parts: ServerParts, closers: Closers): Promise<HandoffServer> {
  let database = parts.database;
  if (!database) {
    const opened = await openDatabase(config, log);
    closers.add('database', () => opened.close());
    database = opened;
  }
  const kafka = config.kafka ? new KafkaGateway(config.kafka, log) : undefined;
  if (kafka) closers.add('kafka', () => kafka.close());
  const feed = await startChangeFeed(database, log);
  closers.add('change feed', () => feed.close());
  const metrics = config.metrics ? new Metrics() : undefined;
  const coordinator = createCoordinator({ database, changes: feed, transport: kafka, observer: metrics }, config, log);
  closers.add('coordinator', () => coordinator.close());
  await coordinator.start(config.sweepIntervalMs);
  // Plain records on the pools' intake topics become jobs; closed before the coordinator (the batch in hand is recorded first).
  const intake = kafka && config.intake.enabled
    ? new KafkaIntake({ intake: coordinator.intake, gateway: kafka, config: config.intake, groupId: `${config.topicPrefix}.intake`, pollMs: config.sweepIntervalMs, log })
    : undefined;
  if (intake) {
    closers.add('intake', () => intake.close());
    closers.add('intake announcements', await database.listen(intakePoolsChannel, { payload: (pool) => intake.poolAnnounced(pool), reconnected: () => intake.refresh() }));
    intake.start();
  }
  const changes = publishChanges(feed);
  closers.add('subscription fan-out', changes.stop);

  const keys = new ApiKeys(database, config);
  await announceFirstRunToken(config, keys, log);
  const principals = bearerPrincipals(config.auth, keys);
  // One count of open subscriptions per key across graphql-ws and SSE, for the limits and for revocation.
  const subscriptions = new OpenSubscriptions(config.limits);
  // "Did you mean …" hints only where the schema is public anyway.
  const clientErrors = shapeClientErrors({ suggestions: config.introspection });
  const graphql = createGraphQL(config, log, {
    contextFor: async (authorization) => ({
      coordinator,
      changes: changes.pubsub,
      keys,
      principal: await principals(authorization),
      credentialProblem: credentialProblem(authorization),
    }),
    principals,
    subscriptions,
    clientErrors,
    metrics,
  });
  closers.add('graphql', () => graphql.dispose());

  const db = database;
  const ready = async (): Promise<Readiness> => {
    const [migrations, kafkaState] = await Promise.all([
      db.migrationState(),
      kafka ? kafka.isReachable().then((up) => (up ? 'up' : 'down')) : 'not configured',
    ]);
    const databaseUp = migrations !== 'unreachable';
    return {
      ready: migrations === 'applied' && kafkaState !== 'down',
      database: databaseUp ? 'up' : 'down',
      migrations: databaseUp ? migrations : 'unknown',
      kafka: kafkaState,
      ...(intake && { intake: intake.status() }),
    };
  };
  const http = serveHttp(config, log, {
    graphql,
    ready,
    metrics: metrics && (async (authorization) => {
      // With auth on, only for an ADMIN key (Prometheus sends it as a bearer token).
      const caller = await principals(authorization);
      if (caller?.role !== 'ADMIN') {
        return { status: caller ? 403 : 401, contentType: 'text/plain', body: `${caller ? 'an ADMIN key is required' : credentialProblem(authorization)}\n` };
      }
      const { contentType, body } = await metrics.scrape({
        pools: () => coordinator.stats.pools(),
        jobsBy: (pool, by, top) => coordinator.jobs.backlogBy(pool, by, top),
        openSubscriptions: () => ({ ws: subscriptions.count('ws'), sse: subscriptions.count('sse') }),
      });
      return { status: 200, contentType, body };
    }),
  });
  const sockets = serveGraphqlOverWebSocket(http.webSockets, { auth: config.auth, limits: config.limits, principals, graphql, clientErrors });
  // A revocation, announced by the database to every replica, ends the key's subscriptions (SSE and
  // graphql-ws; a waiting awaitFreeConsumer leaves its line) and closes its WebSockets, at once.
  const stopRevocations = await database.listen(revocationsChannel, {
    payload(keyId) {
      keys.forget(keyId);
      subscriptions.revoke(keyId);
      sockets.closeKey(keyId);
    },
  });
  closers.add('revocations', stopRevocations);
  const { url, port } = await http.listen();
  closers.add('http', () => http.close());

  let closing: Promise<void> | undefined;
  return { url, port, close: () => (closing ??= closers.closeAll()) };
}
