// consumerSession: a consumer's liveness held over graphql-ws. Maps the subscription onto the
// coordinator's sessions and nothing more.
import { Repeater } from 'graphql-yoga';
import type { Session, SessionPeer } from '../coordinator/sessions.js';
import type { Consumer } from '../coordinator/types.js';
import { type SessionSocket, builder } from './builder.js';
import { ConsumerRef, consumerScopes } from './consumer.js';
import { codedError } from './errors.js';

interface SessionEvent {
  kind: 'OPENED' | 'OFFLINE';
  consumer: Consumer;
}

const SessionEventKindEnum = builder.enumType('ConsumerSessionEventKind', {
  values: {
    OPENED: { description: 'The session is open (first event, and again after every reconnection): the consumer is alive at its epoch.' },
    OFFLINE: {
      description:
        'Handoff judged the consumer OFFLINE: the leases it held are gone (their jobs go to other consumers). Stop those jobs and do not complete them; the session itself keeps the consumer alive again if it still answers.',
    },
  },
});

const SessionEventRef = builder.objectRef<SessionEvent>('ConsumerSessionEvent').implement({
  fields: (t) => ({
    kind: t.field({ type: SessionEventKindEnum, resolve: (event) => event.kind }),
    consumer: t.field({ type: ConsumerRef, resolve: (event) => event.consumer }),
  }),
});

/** A WebSocket as a session's peer: ws-level pings, answered by any WebSocket client without code of its own. */
function socketPeer(socket: SessionSocket): SessionPeer {
  return {
    ping: () => {
      // ws throws on a ping before the socket opened; a closed one ignores it.
      if (socket.readyState === 1) socket.ping();
    },
    onAnswer: (listener) => {
      socket.on('pong', listener);
      return () => void socket.off('pong', listener);
    },
    close: () => socket.terminate(),
  };
}

builder.subscriptionFields((t) => ({
  consumerSession: t.field({
    authScopes: (_root, args, ctx) => consumerScopes(ctx, args.id),
    type: SessionEventRef,
    description:
      "Holds the consumer's liveness while it lasts, over graphql-ws only: the consumer is alive while its WebSocket answers the replica's pings (no heartbeat calls needed), and hears when Handoff judges it OFFLINE: at once from the replica that judged it, within a sweep interval (HANDOFF_SWEEP_INTERVAL_MS) from any other. STALE_EPOCH ends it when another registration replaces this one; it completes when the consumer deregisters.",
    args: { id: t.arg.id({ required: true }), epoch: t.arg.int({ required: true }) },
    subscribe: (_root, args, ctx) =>
      new Repeater<SessionEvent>(async (push, stop) => {
        const socket = ctx.socket;
        if (!socket) {
          stop(codedError('BAD_USER_INPUT', 'consumerSession needs graphql-ws: liveness is its WebSocket answering pings, which an HTTP event stream cannot do'));
          return;
        }
        let session: Session | undefined;
        let stopped = false;
        void stop.then(() => {
          stopped = true;
          session?.close();
        });
        try {
          session = await ctx.coordinator.sessions.open(args.id, args.epoch, socketPeer(socket), (news) => {
            if (news.kind === 'OFFLINE') void push({ kind: 'OFFLINE', consumer: news.consumer });
            else if (news.reason === 'deregistered') stop();
            else stop(codedError('STALE_EPOCH', `consumer ${args.id} was registered again (epoch ${news.consumer.epoch}); the session of epoch ${args.epoch} is over`));
          });
          if (stopped) session.close();
          else await push({ kind: 'OPENED', consumer: session.consumer });
        } catch (error) {
          stop(error);
        }
      }),
    resolve: (event) => event,
  }),
}));
