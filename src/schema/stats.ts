import type { PoolStats } from '../coordinator/types.js';
import { builder, noPool } from './builder.js';
import { codedError } from './errors.js';

const BacklogGroupingEnum = builder.enumType('BacklogGrouping', { values: ['PRIORITY', 'FAIRNESS_KEY', 'LABELS'] as const });
const groupingOf = { PRIORITY: 'priority', FAIRNESS_KEY: 'fairnessKey', LABELS: 'labels' } as const;

const BacklogGroupRef = builder.objectRef<{ group: string; pending: number; inFlight: number }>('BacklogGroup').implement({
  fields: (t) => ({
    group: t.exposeString('group', { description: 'The priority, fairness key or labels (comma-separated); "*" for the rest.' }),
    pending: t.exposeInt('pending'),
    inFlight: t.exposeInt('inFlight'),
  }),
});

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
    waitingProducers: t.exposeInt('waitingProducers', { description: 'Producers waiting for a slot (awaitFreeConsumer, dispatch with waitMs), on every replica.' }),
    backlog: t.exposeInt('backlog', { description: 'Backlog jobs waiting for a slot.' }),
    oldestPendingSeconds: t.float({
      nullable: true,
      description: 'How long the oldest of them has waited.',
      resolve: (stats) => (stats.oldestPendingMs === null ? null : stats.oldestPendingMs / 1000),
    }),
    backlogBy: t.field({
      type: [BacklogGroupRef],
      description: 'Pending and in-flight jobs (waiting producers included) by priority, fairness key or labels: the largest groups, the rest summed as "*". One pool only.',
      args: { by: t.arg({ type: BacklogGroupingEnum, required: true }), top: t.arg.int({ description: '1–50; default 10.' }) },
      resolve: (stats, args, ctx) => {
        if (stats.pool === null) return [];
        const top = args.top ?? 10;
        if (!Number.isInteger(top) || top < 1 || top > 50) throw codedError('BAD_USER_INPUT', `top must be an integer from 1 to 50 (got ${top})`);
        return ctx.coordinator.jobs.backlogBy(stats.pool, groupingOf[args.by], top);
      },
    }),
    intakeTopic: t.string({
      nullable: true,
      description:
        "The pool's Kafka intake topic: a plain record written there becomes a job (headers: handoff-labels, handoff-priority, handoff-fairness-key, handoff-idempotency-key). Null when the intake is off, or for all pools.",
      resolve: (stats, _args, ctx) => (stats.pool !== null && ctx.coordinator.intake.enabled ? ctx.coordinator.intake.topic(stats.pool) : null),
    }),
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
