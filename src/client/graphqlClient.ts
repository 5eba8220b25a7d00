// A small typed GraphQL client: queries and mutations over HTTP, subscriptions over graphql-ws.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type FormattedExecutionResult, type GraphQLFormattedError, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type ErrorCode, isErrorCode } from '../protocol/errors.js';

/** A GraphQL error as the server sent it, with its extensions.code (see errorCodes). */
export class HandoffError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

type Variables<V> = V extends Record<string, never> ? Record<string, never> | undefined : V;

export interface GraphQLClientOptions {
  /** http(s)://host:port/graphql — or several replicas: the client moves to the next one when one cannot be reached. */
  url: string | string[];
  headers?: Record<string, string>;
  /** How long a request keeps trying (other replicas, with backoff) while none can be reached; default 10 s. */
  failoverMs?: number;
  /**
   * How queries and mutations travel: `http` (a request each), or `websocket`: over the graphql-ws
   * connection the client holds anyway, which costs the server a fraction of an HTTP request.
   * Subscriptions always use the WebSocket. Default `http`; the SDK's consumer and producer use `websocket`.
   */
  transport?: 'http' | 'websocket';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => Math.min(50 * 2 ** attempt, 1_000) * (0.5 + Math.random() / 2);

/** The request never got a GraphQL answer: the replica is down, restarting, or unreachable. */
class UnreachableError extends Error {}

export class GraphQLClient {
  private ws: Client | undefined;
  private readonly urls: string[];
  private current = 0;

  constructor(private readonly options: GraphQLClientOptions) {
    this.urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.urls.length === 0) throw new Error('GraphQLClient needs at least one url');
  }

  /** The endpoint in use now. */
  get url(): string {
    return this.urls[this.current]!;
  }

  /** Sends a query or mutation and returns the whole result, errors included. */
  async execute<R, V>(document: TypedDocumentNode<R, V>, variables?: Variables<V>): Promise<FormattedExecutionResult<R>> {
    const query = print(document);
    const body = JSON.stringify({ query, variables });
    const overSocket = this.options.transport === 'websocket';
    const deadline = Date.now() + (this.options.failoverMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return overSocket ? await this.overSocket<R>(query, variables as Record<string, unknown> | undefined) : await this.post<R>(body);
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        if (Date.now() > deadline) throw error.cause ?? error;
        this.current = (this.current + 1) % this.urls.length;
        await sleep(backoff(attempt));
      }
    }
  }

  /** One operation over the graphql-ws connection (which reconnects, to the next replica, on its own). */
  private overSocket<R>(query: string, variables: Record<string, unknown> | undefined): Promise<FormattedExecutionResult<R>> {
    return new Promise<FormattedExecutionResult<R>>((resolve, reject) => {
      let result: FormattedExecutionResult<R> | undefined;
      this.websocket().subscribe<R>(
        { query, variables },
        {
          next: (value) => {
            result = value as FormattedExecutionResult<R>;
          },
          error: (error: unknown) => {
            // The server's refusal of the operation (GraphQL errors) is an answer; a lost connection is not.
            if (Array.isArray(error)) resolve({ errors: error as GraphQLFormattedError[] });
            else if (isCloseEvent(error) && refusedCloseCodes.includes(error.code)) reject(refusedConnection(error));
            else reject(new UnreachableError(`${this.url} cannot be reached over WebSocket`, { cause: error }));
          },
          complete: () => (result ? resolve(result) : reject(new UnreachableError('the operation completed with no result'))),
        },
      );
    });
  }

  private async post<R>(body: string): Promise<FormattedExecutionResult<R>> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...this.options.headers },
        body,
      });
    } catch (error) {
      throw new UnreachableError(`${this.url} cannot be reached`, { cause: error });
    }
    // A load balancer's answer when the replica behind it is gone.
    if ([502, 503, 504].includes(response.status) && !response.headers.get('content-type')?.includes('json')) {
      throw new UnreachableError(`${this.url} answered ${response.status}`);
    }
    return (await response.json()) as FormattedExecutionResult<R>;
  }

  /** Sends a query or mutation over HTTP; resolves with its data or rejects with a HandoffError. */
  async request<R, V>(document: TypedDocumentNode<R, V>, variables?: Variables<V>): Promise<R> {
    return dataOrThrow(await this.execute(document, variables));
  }

  /** The graphql-ws client, opened on first use (reconnects with backoff when the server goes away). */
  websocket(): Client {
    let socketUrl = this.current;
    this.ws ??= createClient({
      // Asked at every (re)connection: after a lost connection, the next replica.
      url: () => this.urls[socketUrl]!.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: this.options.headers?.authorization ? { authorization: this.options.headers.authorization } : {},
      retryAttempts: Infinity,
      // Held open between operations (queries and mutations go over it too), and checked by pings,
      // so a replica that went away silently is noticed and left for the next.
      lazyCloseTimeout: 30_000,
      keepAlive: 10_000,
      // A server that refuses the key (4401, or 4403 once revoked) or the request (4400) will refuse it again: give up, say why.
      shouldRetry: (event) => !(isCloseEvent(event) && refusedCloseCodes.includes(event.code)),
      retryWait: (retries) => sleep(backoff(retries)),
      on: {
        closed: () => {
          socketUrl = (socketUrl + 1) % this.urls.length;
        },
      },
    });
    return this.ws;
  }

  /** Subscribes over graphql-ws; iterate the result, `return()` it to unsubscribe. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables?: Variables<V>): AsyncIterableIterator<R> {
    const iterator = this.websocket().iterate<R>({ query: print(document), variables: variables as Record<string, unknown> | undefined });
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        let step;
        try {
          step = await iterator.next();
        } catch (error) {
          // graphql-ws rejects with the server's GraphQL errors when it refuses an operation.
          if (Array.isArray(error) && error.length > 0) throw toHandoffError(error[0] as GraphQLFormattedError);
          if (isCloseEvent(error) && refusedCloseCodes.includes(error.code)) throw refusedConnection(error);
          throw error;
        }
        return step.done ? { done: true, value: undefined } : { done: false, value: dataOrThrow(step.value as FormattedExecutionResult<R>) };
      },
      async return() {
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}

/** WebSocket close codes after which reconnecting is pointless: a bad request, no valid key, a revoked key. */
const refusedCloseCodes = [4400, 4401, 4403];

/** A connection the server closed for good: its key (4401, 4403) or its request (4400). */
const refusedConnection = (event: { code: number; reason: string }) =>
  new HandoffError(event.code === 4400 ? 'BAD_USER_INPUT' : 'UNAUTHENTICATED', `the server refused the connection: ${event.reason || 'unauthorized'}`);

const isCloseEvent = (value: unknown): value is { code: number; reason: string } =>
  typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number' && 'reason' in value;

/** A code this SDK does not know (a newer server) is reported as INTERNAL_SERVER_ERROR, the message kept. */
const toHandoffError = (error: GraphQLFormattedError) => {
  const code = error.extensions?.code;
  return new HandoffError(isErrorCode(code) ? code : 'INTERNAL_SERVER_ERROR', isErrorCode(code) ? error.message : `${String(code)}: ${error.message}`, error.path);
};

function dataOrThrow<R>(result: FormattedExecutionResult<R>): R {
  const [error] = result.errors ?? [];
  if (error) throw toHandoffError(error);
  if (result.data == null) throw new HandoffError('INTERNAL_SERVER_ERROR', 'the server returned no data');
  return result.data;
}
