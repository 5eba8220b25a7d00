// The GraphQL endpoint: Yoga over the schema, with the plugins every transport shares (the key checked
// first, error codes, query-shape and rate limits, subscription limits and revocation, CSRF,
// introspection, metrics).
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { type ExecutionResult, NoSchemaIntrospectionCustomRule } from 'graphql';
import { type Plugin, type YogaServerInstance, createYoga } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { type ClientErrors, codedError, maskError } from '../schema/errors.js';
import { type Context, schema } from '../schema/index.js';
import { mutationRateLimit, queryShapeLimits } from './limits.js';
import type { Metrics } from './metrics.js';
import { type PrincipalLookup, credentialProblem } from './principals.js';
import { type OpenSubscriptions, limitAndRevokeSubscriptions } from './subscriptions.js';

export const graphqlPath = '/graphql';

/** What each operation's context is made from: the transport gives the caller's Authorization value. */
export type ContextFor = (authorization: unknown) => Promise<Context>;

export type GraphQL = YogaServerInstance<Record<string, unknown>, Context>;

export interface GraphQLParts {
  contextFor: ContextFor;
  principals: PrincipalLookup;
  subscriptions: OpenSubscriptions;
  /** How errors are shaped for clients (codes; suggestions only where introspection is on). */
  clientErrors: ClientErrors;
  metrics: Metrics | undefined;
}

/**
 * HTTP and SSE: the key is checked before the request body is even parsed. Without a valid one the
 * answer is UNAUTHENTICATED, and nothing else is looked at — not the query, not its arguments, not the
 * database (graphql-ws does the same, before it parses an operation: see websocket.ts).
 */
function authenticateFirst(principals: PrincipalLookup): Plugin {
  const refused = new WeakMap<Request, string>();
  return {
    async onRequestParse({ request, setRequestParser }) {
      const authorization = request.headers.get('authorization') ?? undefined;
      if (await principals(authorization)) return;
      refused.set(request, credentialProblem(authorization));
      // The body stays unread: this placeholder passes Yoga's own checks of the parameters, and never runs.
      setRequestParser(() => ({ query: '{ __typename }' }));
    },
    onParams({ request, setResult }) {
      const problem = refused.get(request);
      if (problem !== undefined) setResult({ errors: [codedError('UNAUTHENTICATED', problem)] });
    },
  };
}

/** Documented codes (BAD_USER_INPUT for a malformed request) on HTTP and SSE responses, suggestions removed where they must be. */
const useClientErrorCodes = (clientErrors: ClientErrors): Plugin => ({
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result)) setResult(result.map((item: ExecutionResult) => clientErrors.result(item)));
    else if (!(Symbol.asyncIterator in result)) setResult(clientErrors.result(result));
  },
});

/** What Yoga answers with no body at all, said as the GraphQL error every other refusal is. */
const bodilessRefusals: Record<number, string> = {
  406: 'the Accept header allows nothing this endpoint answers in: application/graphql-response+json, application/json, text/event-stream or multipart/mixed',
  415: 'a GraphQL request is sent as application/json (or application/graphql, multipart/form-data, application/x-www-form-urlencoded, or as a GET)',
};

const useBodilessRefusalCodes = (): Plugin => ({
  onResponse({ response, setResponse, fetchAPI }) {
    const message = bodilessRefusals[response.status];
    if (message === undefined || response.body !== null) return;
    setResponse(
      new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }), {
        status: response.status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      }),
    );
  },
});

/**
 * Introspection off: the rule joins validation, which graphql-ws operations run too (Yoga's own plugin
 * decides per HTTP request, and so never reached WebSockets).
 */
const useNoIntrospection = (): Plugin => ({
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
});

/** What a WebSocket operation carries for the context: the Authorization value of its connection. */
export interface WsContextInput {
  extra?: { authorization?: unknown };
}

export function createGraphQL(config: Config, log: Logger, parts: GraphQLParts): GraphQL {
  const { contextFor, principals, subscriptions, clientErrors, metrics } = parts;
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
      ...(config.auth ? [authenticateFirst(principals)] : []),
      useClientErrorCodes(clientErrors),
      useBodilessRefusalCodes(),
      ...queryShapeLimits(config.limits),
      mutationRateLimit(config.limits),
      limitAndRevokeSubscriptions(subscriptions, log),
      // Browsers may only send GraphQL as preflighted requests (or with this header): no CSRF.
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...(config.introspection ? [] : [useNoIntrospection()]),
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
