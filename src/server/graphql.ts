// The GraphQL endpoint: Yoga over the schema, with the plugins every transport shares (error codes,
// query-shape and rate limits, CSRF, introspection, metrics).
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { ExecutionResult } from 'graphql';
import { type Plugin, type YogaServerInstance, createYoga } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { maskError, withClientErrorCodes } from '../schema/errors.js';
import { type Context, schema } from '../schema/index.js';
import { mutationRateLimit, queryShapeLimits } from './limits.js';
import type { Metrics } from './metrics.js';

export const graphqlPath = '/graphql';

/** What each operation's context is made from: the transport gives the caller's Authorization value. */
export type ContextFor = (authorization: unknown) => Promise<Context>;

export type GraphQL = YogaServerInstance<Record<string, unknown>, Context>;

/** Rewrites pre-execution errors to BAD_USER_INPUT on HTTP and SSE responses. */
const useClientErrorCodes = (): Plugin => ({
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => withClientErrorCodes(item)));
    else if (!(Symbol.asyncIterator in result)) setResult(withClientErrorCodes(result));
  },
});

/** What a WebSocket operation carries for the context: the Authorization value of its connection. */
export interface WsContextInput {
  extra?: { authorization?: unknown };
}

export function createGraphQL(config: Config, log: Logger, contextFor: ContextFor, metrics: Metrics | undefined): GraphQL {
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: graphqlPath,
    // Every operation authenticates again: a key revoked a moment ago is refused at once.
    context: (initial: { request?: Request } & WsContextInput) =>
      contextFor(initial.request?.headers.get('authorization') ?? initial.extra?.authorization),
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
}
