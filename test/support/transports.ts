// One GraphQL operation sent each of the three ways Handoff takes it — HTTP (POST), SSE, graphql-ws —
// with any Authorization value, and what came back in one shape, so a test runs the same case over all.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type FormattedExecutionResult, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { Config } from '../../src/config.js';
import type { BackendName } from './databases.js';
import { type Harness, startHarness } from './harness.js';

export const transports = ['HTTP', 'SSE', 'graphql-ws'] as const;
export type Transport = (typeof transports)[number];
/** Subscriptions do not run over plain HTTP. */
export const streamingTransports = ['SSE', 'graphql-ws'] as const satisfies readonly Transport[];

export interface Operation {
  query: string;
  variables?: Record<string, unknown> | undefined;
  operationName?: string;
}

/** An operation from a typed document of the SDK, or raw text. */
export const operation = <R, V>(document: TypedDocumentNode<R, V> | string, variables?: V): Operation => ({
  query: typeof document === 'string' ? document : print(document),
  variables: variables as Record<string, unknown> | undefined,
});

/** The next thing a stream gave: a result, its end, or nothing yet. */
export type Step = FormattedExecutionResult | 'done' | 'quiet';

export interface Stream {
  /** The next result, 'done' once the stream ended, or 'quiet' when nothing came within `ms`. */
  next(ms?: number): Promise<Step>;
  close(): Promise<void>;
}

/** A refusal the server gave by closing the socket, as a result, with the close code kept. */
const closedWith = (code: number, reason: string): FormattedExecutionResult => ({
  errors: [{ message: `the socket was closed: ${code} ${reason}`, extensions: { code: code === 4401 || code === 4403 ? 'UNAUTHENTICATED' : `CLOSED_${code}`, closeCode: code } }],
});

/** Yields results from wherever a transport puts them, with a timeout on each wait. */
class Queue {
  private readonly items: Step[] = [];
  private waiting: ((step: Step) => void) | undefined;

  put(step: Step): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve(step);
    } else this.items.push(step);
  }

  take(ms: number): Promise<Step> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve('quiet');
      }, ms);
      this.waiting = (step) => {
        clearTimeout(timer);
        resolve(step);
      };
    });
  }
}

export interface TransportClients {
  /** Opens `op` on `transport` with `authorization` as the caller's Authorization value (undefined: none). */
  open(transport: Transport, authorization: string | undefined, op: Operation): Stream;
  /** One operation that answers once (a query or mutation): its result, or what refused it. */
  execute(transport: Transport, authorization: string | undefined, op: Operation, ms?: number): Promise<FormattedExecutionResult>;
  close(): Promise<void>;
}

export function transportClients(url: string): TransportClients {
  // One graphql-ws connection per Authorization value, as an SDK client keeps one.
  const sockets = new Map<string, Client>();
  const socketFor = (authorization: string | undefined) => {
    const key = authorization ?? '';
    let client = sockets.get(key);
    if (!client) {
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: authorization === undefined ? {} : { authorization },
        retryAttempts: 0,
        lazy: true,
      });
      sockets.set(key, client);
    }
    return client;
  };

  const overSse = (authorization: string | undefined, op: Operation): Stream => {
    const queue = new Queue();
    const abort = new AbortController();
    const reading = (async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(authorization !== undefined && { authorization }) },
        body: JSON.stringify(op),
        signal: abort.signal,
      });
      if (!response.headers.get('content-type')?.includes('text/event-stream')) {
        queue.put((await response.json()) as FormattedExecutionResult);
        queue.put('done');
        return;
      }
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'complete') {
            // The stream is over, whether or not the response is ended yet.
            queue.put('done');
            await reader.cancel();
            return;
          }
          if (data) queue.put(JSON.parse(data) as FormattedExecutionResult);
        }
      }
      queue.put('done');
    })().catch((error: unknown) => {
      if (!abort.signal.aborted) queue.put({ errors: [{ message: String(error), extensions: { code: 'TRANSPORT_FAILED' } }] });
      queue.put('done');
    });
    return {
      next: (ms = 5_000) => queue.take(ms),
      close: async () => {
        abort.abort();
        await reading;
      },
    };
  };

  const overWebSocket = (authorization: string | undefined, op: Operation): Stream => {
    const queue = new Queue();
    const dispose = socketFor(authorization).subscribe(
      { query: op.query, variables: op.variables, ...(op.operationName !== undefined && { operationName: op.operationName }) },
      {
        next: (result) => queue.put(result as FormattedExecutionResult),
        error: (error: unknown) => {
          if (Array.isArray(error)) queue.put({ errors: error });
          else if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
            queue.put(closedWith(error.code, String((error as { reason?: unknown }).reason ?? '')));
          } else queue.put({ errors: [{ message: String(error), extensions: { code: 'TRANSPORT_FAILED' } }] });
          queue.put('done');
        },
        complete: () => queue.put('done'),
      },
    );
    return { next: (ms = 5_000) => queue.take(ms), close: async () => dispose() };
  };

  const overHttp = (authorization: string | undefined, op: Operation): Stream => {
    const queue = new Queue();
    const answered = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
      body: JSON.stringify(op),
    })
      .then(async (response) => queue.put((await response.json()) as FormattedExecutionResult))
      .catch((error: unknown) => queue.put({ errors: [{ message: String(error), extensions: { code: 'TRANSPORT_FAILED' } }] }))
      .finally(() => queue.put('done'));
    return { next: (ms = 5_000) => queue.take(ms), close: () => answered };
  };

  const open = (transport: Transport, authorization: string | undefined, op: Operation): Stream =>
    transport === 'HTTP' ? overHttp(authorization, op) : transport === 'SSE' ? overSse(authorization, op) : overWebSocket(authorization, op);

  return {
    open,
    async execute(transport, authorization, op, ms = 10_000) {
      const stream = open(transport, authorization, op);
      try {
        const step = await stream.next(ms);
        if (step === 'quiet' || step === 'done') throw new Error(`${transport}: no result for ${op.query.slice(0, 80)} (${step})`);
        return step;
      } finally {
        await stream.close();
      }
    },
    async close() {
      await Promise.all([...sockets.values()].map((client) => client.dispose()));
      sockets.clear();
    },
  };
}

/** The code of a result's first error, if it has one. */
export const codeOf = (step: Step): unknown => (typeof step === 'string' ? undefined : step.errors?.[0]?.extensions?.code);

/** A server for the tests of one describe, with transport clients for it: opened before them, closed after. */
export function serverWithTransports(backend: BackendName, overrides: Partial<Config> = {}): { h: Harness; clients: TransportClients } {
  const parts = {} as { h: Harness; clients: TransportClients };
  beforeAll(async () => {
    parts.h = await startHarness(backend, overrides);
    parts.clients = transportClients(parts.h.server.url);
  });
  afterAll(async () => {
    await parts.clients?.close();
    await parts.h?.close();
  });
  return parts;
}
