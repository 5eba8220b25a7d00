// A small typed GraphQL client: queries and mutations over HTTP, subscriptions over graphql-ws.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type FormattedExecutionResult, type GraphQLFormattedError, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A GraphQL error as the server sent it, with its extensions.code. */
export class HandoffError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: readonly (string | number)[],
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

type Variables<V> = V extends Record<string, never> ? Record<string, never> | undefined : V;

export interface GraphQLClientOptions {
  /** http(s)://host:port/graphql */
  url: string;
  headers?: Record<string, string>;
}

export class GraphQLClient {
  private ws: Client | undefined;

  constructor(private readonly options: GraphQLClientOptions) {}

  /** Sends a query or mutation over HTTP and returns the whole result, errors included. */
  async execute<R, V>(document: TypedDocumentNode<R, V>, variables?: Variables<V>): Promise<FormattedExecutionResult<R>> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...this.options.headers },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as FormattedExecutionResult<R>;
  }

  /** Sends a query or mutation over HTTP; resolves with its data or rejects with a HandoffError. */
  async request<R, V>(document: TypedDocumentNode<R, V>, variables?: Variables<V>): Promise<R> {
    return dataOrThrow(await this.execute(document, variables));
  }

  /** The graphql-ws client, opened on first use (reconnects with backoff when the server goes away). */
  websocket(): Client {
    this.ws ??= createClient({
      url: this.options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: this.options.headers?.authorization ? { authorization: this.options.headers.authorization } : {},
      retryAttempts: Infinity,
      shouldRetry: () => true,
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

const toHandoffError = (error: GraphQLFormattedError) =>
  new HandoffError(String(error.extensions?.code ?? 'UNKNOWN'), error.message, error.path);

function dataOrThrow<R>(result: FormattedExecutionResult<R>): R {
  const [error] = result.errors ?? [];
  if (error) throw toHandoffError(error);
  if (result.data == null) throw new HandoffError('UNKNOWN', 'the server returned no data');
  return result.data;
}
