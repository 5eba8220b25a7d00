import type { PoolStats } from '../coordinator/types.js';
import { builder, noPool } from './builder.js';

const StatsRef = builder.objectRef<PoolStats>('Stats').implement({
  description: 'Counts for one pool, or for all pools when pool is null.',
  fields: (t) => ({
    pool: t.exposeString('pool', { nullable: true }),
    consumers: t.exposeInt('consumers'),
    free: t.exposeInt('free'),
    busy: t.exposeInt('busy'),
    draining: t.exposeInt('draining'),
    offline: t.exposeInt('offline'),
    capacity: t.exposeInt('capacity', { description: 'Slots of all consumers.' }),
    inFlight: t.exposeInt('inFlight', { description: 'Slots held by leases.' }),
    waitingProducers: t.exposeInt('waitingProducers', { description: 'Subscribers of awaitFreeConsumer waiting on this replica.' }),
    claimsLastMinute: t.exposeInt('claimsLastMinute'),
    deadLettered: t.exposeInt('deadLettered', { description: 'Jobs sent to the dead-letter topic after their last attempt.' }),
  }),
});

builder.queryFields((t) => ({
  stats: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool ?? noPool }),
    type: StatsRef,
    args: { pool: t.arg.string() },
    resolve: (_root, args, ctx) => ctx.coordinator.stats.stats(args.pool),
  }),
  pools: t.field({ type: [StatsRef], authScopes: { admin: true }, resolve: (_root, _args, ctx) => ctx.coordinator.stats.pools() }),
}));
