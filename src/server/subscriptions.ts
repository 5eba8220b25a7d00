// Open subscriptions by API key, on every transport (graphql-ws and SSE): one count for the limits
// (per key, per WebSocket) and one place from which a revocation ends them all, whatever carries them.
import type { ExecutionResult } from 'graphql';
import { type Plugin, Repeater, isAsyncIterable } from 'graphql-yoga';
import type { Limits } from '../config.js';
import type { Logger } from '../logger.js';
import { codedError } from '../schema/errors.js';
import type { Context } from '../schema/index.js';
import { rateLimited } from './limits.js';

export type Transport = 'ws' | 'sse';

/** A place taken by one subscription; `close()` gives it back. */
export interface OpenSubscription {
  /** Aborted when the key is revoked. */
  readonly revoked: AbortSignal;
  close(): void;
}

interface Entry extends OpenSubscription {
  transport: Transport;
  revoke(): void;
}

export class OpenSubscriptions {
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly byConnection = new Map<object, number>();

  constructor(private readonly limits: Pick<Limits, 'maxSubscriptionsPerKey' | 'maxSubscriptionsPerConnection'>) {}

  /**
   * Takes a place for a subscription of the key `keyId` (on the WebSocket `connection`, if it has
   * one), or says which limit refuses it. Counting and taking are one step, so concurrent
   * subscriptions cannot both take the last place.
   */
  open(keyId: string, transport: Transport, connection?: object): OpenSubscription | string {
    const { maxSubscriptionsPerKey: perKey, maxSubscriptionsPerConnection: perConnection } = this.limits;
    const ofKey = this.byKey.get(keyId) ?? new Set<Entry>();
    if (ofKey.size >= perKey) return `at most ${perKey} open subscriptions per API key (WebSocket and SSE together)`;
    const onConnection = connection === undefined ? 0 : (this.byConnection.get(connection) ?? 0);
    if (onConnection >= perConnection) return `at most ${perConnection} open subscriptions per connection`;
    const revocation = new AbortController();
    let closed = false;
    const entry: Entry = {
      transport,
      revoked: revocation.signal,
      revoke: () => revocation.abort(),
      close: () => {
        if (closed) return;
        closed = true;
        ofKey.delete(entry);
        if (ofKey.size === 0 && this.byKey.get(keyId) === ofKey) this.byKey.delete(keyId);
        if (connection === undefined) return;
        const left = (this.byConnection.get(connection) ?? 1) - 1;
        if (left > 0) this.byConnection.set(connection, left);
        else this.byConnection.delete(connection);
      },
    };
    ofKey.add(entry);
    this.byKey.set(keyId, ofKey);
    if (connection !== undefined) this.byConnection.set(connection, onConnection + 1);
    return entry;
  }

  /** Ends every subscription of a revoked key, on every transport. */
  revoke(keyId: string): void {
    for (const entry of [...(this.byKey.get(keyId) ?? [])]) {
      entry.revoke();
      entry.close();
    }
  }

  /** Open subscriptions, on one transport or on all. */
  count(transport?: Transport): number {
    let open = 0;
    for (const entries of this.byKey.values()) for (const entry of entries) if (transport === undefined || entry.transport === transport) open += 1;
    return open;
  }
}

/**
 * Every subscription takes a place in `subscriptions` before it starts (RATE_LIMITED when none is
 * left) and gives it back when it ends; when its key is revoked, it ends at once with UNAUTHENTICATED.
 * As a Yoga plugin it runs for SSE and, through getEnveloped, for graphql-ws alike.
 */
export function limitAndRevokeSubscriptions(subscriptions: OpenSubscriptions, log: Logger): Plugin<Context> {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      // graphql-ws operations carry their socket (see websocket.ts); SSE ones do not.
      const context = args.contextValue as Context & { extra?: { socket?: object } };
      // Without a key the field's rule refuses it (UNAUTHENTICATED); nothing is open to count.
      if (!context.principal) return undefined;
      const socket = context.extra?.socket;
      const place = subscriptions.open(context.principal.id, socket === undefined ? 'sse' : 'ws', socket);
      if (typeof place === 'string') {
        setResultAndStopExecution({ errors: [rateLimited(place)] });
        return undefined;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endWhenRevoked(result, place, log));
          else place.close();
        },
      };
    },
  };
}

/**
 * The stream as it was, until its key is revoked: then one UNAUTHENTICATED result and the end. Ending
 * returns the source, which ends what it waits on first (an awaitFreeConsumer leaves its line),
 * so a revoked key is handed nothing more. The stream does not wait for the source to finish
 * returning: an async generator asked to return while it awaits its next value answers only once that
 * value comes, and a revoked stream must end now.
 */
function endWhenRevoked(source: AsyncIterable<ExecutionResult>, place: OpenSubscription, log: Logger): AsyncIterableIterator<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const onRevoked = () => {
      void push({ errors: [codedError('UNAUTHENTICATED', 'this API key was revoked')] });
      stop();
    };
    place.revoked.addEventListener('abort', onRevoked, { once: true });
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    try {
      for (;;) {
        const step = await Promise.race([iterator.next(), stopped]);
        if (step.done) break;
        await push(step.value);
      }
      stop();
    } catch (error) {
      stop(error);
    } finally {
      place.revoked.removeEventListener('abort', onRevoked);
      place.close();
      iterator.return?.()?.catch((error: unknown) => log.warn({ err: error }, 'a subscription failed to end its source'));
    }
  });
}
