// Consumer: the registry. Maps GraphQL onto the coordinator and nothing more.
import { filter, pipe, map } from 'graphql-yoga';
import { consumerStatuses, hasLabels, isAvailable, type Consumer, type ConsumerChange } from '../coordinator/types.js';
import { actsFor } from '../auth/principal.js';
import { type Context, builder, noPool } from './builder.js';
import { type Connection, idFromCursor, pageArgs, toConnection } from './connection.js';
import { codedError } from './errors.js';

export const ConsumerStatusEnum = builder.enumType('ConsumerStatus', {
  description:
    'What a consumer declares — FREE takes work, BUSY and DRAINING take none — and, in Consumer.status only, OFFLINE: Handoff judged it gone (no sign of life within the heartbeat TTL). A consumer never sets OFFLINE, and OFFLINE never erases what it declared.',
  values: consumerStatuses,
});

export const ConsumerRef = builder.objectRef<Consumer>('Consumer').implement({
  description: 'A worker process that receives jobs on its own Kafka topic.',
  fields: (t) => ({
    id: t.exposeID('id'),
    pool: t.exposeString('pool'),
    topic: t.exposeString('topic', { description: 'The Kafka topic this consumer reads its jobs from.' }),
    status: t.field({
      type: ConsumerStatusEnum,
      description: 'OFFLINE while Handoff judges the consumer gone, otherwise what it declared (declaredStatus).',
      resolve: (consumer) => consumer.status,
    }),
    declaredStatus: t.field({
      type: ConsumerStatusEnum,
      description: 'What the consumer said it is — FREE, BUSY or DRAINING, never OFFLINE — kept while it is OFFLINE and in force again when it returns.',
      resolve: (consumer) => consumer.declaredStatus,
    }),
    alive: t.exposeBoolean('alive', {
      description: 'A sign of life within the heartbeat TTL: any call it makes with its current epoch (heartbeat, setStatus, completeLease, failLease, extendLease).',
    }),
    offlineSince: t.expose('offlineSince', { type: 'DateTime', nullable: true, description: 'When Handoff judged it gone; null while alive.' }),
    deregisteredAt: t.expose('deregisteredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set once it deregistered: such a consumer is no longer listed, and is seen only through the leases it held.',
    }),
    capacity: t.exposeInt('capacity', { description: 'How many leases it may hold at once; never below inFlight.' }),
    inFlight: t.exposeInt('inFlight', { description: 'Leases it holds now.' }),
    labels: t.exposeStringList('labels'),
    epoch: t.exposeInt('epoch', { description: 'Bumped by every registration; consumer-side calls must carry the current one.' }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime', nullable: true }),
    freeSince: t.expose('freeSince', {
      type: 'DateTime',
      nullable: true,
      description: 'When it last became claimable or took a job; claims take the oldest first.',
    }),
  }),
});

export const PageInfoRef = builder
  .objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo')
  .implement({
    fields: (t) => ({
      hasNextPage: t.exposeBoolean('hasNextPage'),
      endCursor: t.exposeString('endCursor', { nullable: true }),
    }),
  });

const ConsumerEdgeRef = builder.objectRef<{ cursor: string; node: Consumer }>('ConsumerEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: ConsumerRef, resolve: (edge) => edge.node }),
  }),
});

const ConsumerConnectionRef = builder.objectRef<Connection<Consumer>>('ConsumerConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [ConsumerEdgeRef], resolve: (page) => page.edges }),
    nodes: t.field({ type: [ConsumerRef], resolve: (page) => page.edges.map((edge) => edge.node) }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (page) => page }),
  }),
});

const RegisterConsumerInput = builder.inputType('RegisterConsumerInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: '1–128 characters of [A-Za-z0-9._:-].' }),
    pool: t.string({ description: 'Defaults to "default".' }),
    topic: t.string({
      description:
        'Defaults to <prefix>.<pool>.<id>. Keys other than ADMIN may only choose a topic of the pool, <prefix>.<pool>.<name>; no one may choose a name starting with __ or ending in .dlq or .intake.',
    }),
    capacity: t.int({ description: 'Leases it may hold at once, 1–1000; defaults to 1. A re-registration below the leases it holds is CONFLICT.' }),
    status: t.field({
      type: ConsumerStatusEnum,
      description: 'What it declares at once: FREE (the default), or BUSY until it is ready for jobs (its Kafka consumer assigned and positioned), then setStatus FREE.',
    }),
    labels: t.stringList({ description: 'Producers may ask for consumers carrying all of some labels.' }),
  }),
});

/**
 * Who may act on consumer `id` as its consumer: a CONSUMER key for that id, and of its pool when the
 * key has one (so the consumer is looked up). Other keys: ADMIN only, nothing looked up. Every
 * consumer-side field's rule.
 */
export async function consumerScopes(ctx: Context, id: string) {
  if (ctx.principal?.role !== 'CONSUMER') return { admin: true };
  const consumer = await ctx.coordinator.registry.consumer(id);
  return { admin: true, consumer: { id, pool: consumer?.pool ?? null } };
}

/**
 * Who may register `input.id` in `input.pool`: a CONSUMER key for that id, of that pool when the key
 * has one. A registered consumer keeps its pool: only an ADMIN key moves one to another (and the
 * registry refuses a move while it holds leases), so no key takes a consumer from a pool it cannot act in.
 */
async function registrationScopes(ctx: Context, input: { id: string; pool?: string | null }) {
  if (ctx.principal?.role !== 'CONSUMER') return { admin: true };
  const pool = input.pool ?? 'default';
  const existing = await ctx.coordinator.registry.consumer(input.id);
  if (existing && existing.pool !== pool) {
    // Said precisely to a key that may act for the consumer where it is; any other key learns nothing.
    if (actsFor(ctx.principal, existing)) {
      throw codedError('FORBIDDEN', `consumer ${existing.id} is registered in pool ${existing.pool}: only an ADMIN key moves a consumer to another pool`);
    }
    return { admin: true };
  }
  return { admin: true, consumer: { id: input.id, pool } };
}

builder.queryFields((t) => ({
  consumer: t.field({
    authScopes: async (_root, args, ctx) => {
      const consumer = await ctx.coordinator.registry.consumer(args.id);
      return consumer ? { admin: true, producer: consumer.pool, consumer } : { admin: true };
    },
    type: ConsumerRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.registry.consumer(args.id),
  }),
  consumers: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool ?? noPool }),
    type: ConsumerConnectionRef,
    description: 'Consumers ordered by id, a page at a time.',
    args: {
      pool: t.arg.string(),
      status: t.arg({ type: ConsumerStatusEnum }),
      ...pageArgs(t),
    },
    resolve: async (_root, { after, ...filter }, ctx) =>
      toConnection('consumer', await ctx.coordinator.registry.consumers({ ...filter, afterId: idFromCursor('consumer', after) })),
  }),
  nextFreeConsumer: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    type: ConsumerRef,
    nullable: true,
    description: 'The consumer a claim would get now. Reserves nothing: use claimFreeConsumer to take it.',
    args: { pool: t.arg.string({ required: true }), labels: t.arg.stringList() },
    resolve: (_root, args, ctx) => ctx.coordinator.registry.nextFreeConsumer(args.pool, args.labels),
  }),
}));

builder.mutationFields((t) => ({
  registerConsumer: t.field({
    authScopes: (_root, { input }, ctx) => registrationScopes(ctx, input),
    type: ConsumerRef,
    description: 'Registers a consumer (FREE unless input.status says otherwise), or re-registers it with settings replaced and a new epoch.',
    args: { input: t.arg({ type: RegisterConsumerInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.coordinator.registry.registerConsumer(input, ctx.principal?.role === 'ADMIN' ? 'any' : 'own pool'),
  }),
  setStatus: t.field({
    authScopes: (_root, args, ctx) => consumerScopes(ctx, args.id),
    type: ConsumerRef,
    description: 'Declares FREE, BUSY or DRAINING; a sign of life too, so an OFFLINE consumer calling it is alive again with this status.',
    args: {
      id: t.arg.id({ required: true }),
      status: t.arg({ type: ConsumerStatusEnum, required: true, description: 'FREE, BUSY or DRAINING.' }),
      epoch: t.arg.int({ required: true }),
    },
    resolve: (_root, args, ctx) => ctx.coordinator.registry.setStatus(args.id, args.status, args.epoch),
  }),
  heartbeat: t.field({
    authScopes: (_root, args, ctx) => consumerScopes(ctx, args.id),
    type: ConsumerRef,
    args: { id: t.arg.id({ required: true }), epoch: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.registry.heartbeat(args.id, args.epoch),
  }),
  deregisterConsumer: t.field({
    authScopes: (_root, args, ctx) => consumerScopes(ctx, args.id),
    type: ConsumerRef,
    description:
      'Takes a consumer that holds no lease out of the registry and frees its topic; its leases stay readable (lease(id)) for the history retention. Returns it as it was.',
    args: { id: t.arg.id({ required: true }), epoch: t.arg.int({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.registry.deregisterConsumer(args.id, args.epoch),
  }),
}));

const opensMatchingSlot = (labels: readonly string[]) => (change: ConsumerChange) =>
  change.slotOpened && isAvailable(change.consumer) && hasLabels(change.consumer, labels);

/**
 * A subscription to consumer changes: statements announce a pool's changes only while some replica
 * listens for them, so the subscription starts once this replica's listening is recorded, and ends it.
 */
function whileWatching<T>(ctx: Context, pool: string | null, source: AsyncIterable<T>): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  const watching = ctx.coordinator.watching.watch(pool);
  let ended = false;
  const end = async () => {
    if (ended) return;
    ended = true;
    (await watching)();
  };
  // A hand-written iterator rather than an async generator: a generator's return() waits behind its
  // pending next(), so an unsubscribed stream would end (and stop watching) only at its next event.
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      await watching;
      const step = await inner.next();
      if (step.done) await end();
      return step;
    },
    async return(value?: unknown) {
      await end();
      await inner.return?.();
      return { done: true, value: value as T };
    },
    async throw(error?: unknown) {
      await end();
      if (inner.throw) return inner.throw(error);
      throw error;
    },
  };
}

builder.subscriptionFields((t) => ({
  freeConsumerAvailable: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    type: ConsumerRef,
    description: 'Each time a matching consumer gets a free slot. A broadcast: claim it to take it.',
    args: { pool: t.arg.string({ required: true }), labels: t.arg.stringList() },
    subscribe: (_root, args, ctx) => {
      const { pool, labels } = ctx.coordinator.claims.checkWatch(args.pool, args.labels);
      return whileWatching(
        ctx,
        pool,
        pipe(ctx.changes.subscribe('consumerChangedInPool', pool), filter(opensMatchingSlot(labels)), map((change) => change.consumer)),
      );
    },
    resolve: (consumer) => consumer,
  }),
  consumerStatusChanged: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool ?? noPool }),
    type: ConsumerRef,
    description: 'Every committed change to a consumer (status, leases in flight, registration), in one pool or all.',
    args: { pool: t.arg.string() },
    subscribe: (_root, args, ctx) => {
      const pool = args.pool == null ? null : ctx.coordinator.claims.checkWatch(args.pool).pool;
      return whileWatching(
        ctx,
        pool,
        pipe(pool === null ? ctx.changes.subscribe('consumerChanged') : ctx.changes.subscribe('consumerChangedInPool', pool), map((change) => change.consumer)),
      );
    },
    resolve: (consumer) => consumer,
  }),
}));
