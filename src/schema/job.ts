// Job: the backlog. Producers submit and go; a freed slot takes the next job in the pool's order and
// Handoff produces it to the consumer's topic.
import { jobStates, type Job } from '../coordinator/types.js';
import { priorityRange } from '../coordinator/validate.js';
import { actorOf } from './actor.js';
import { builder } from './builder.js';
import { type Connection, idFromCursor, pageArgs, toConnection } from './connection.js';
import { HeaderInput } from './lease.js';

const JobStateEnum = builder.enumType('JobState', {
  description:
    'PENDING waits for a slot; DISPATCHED is on a lease; COMPLETED, CANCELLED and DEAD_LETTERED are ended (kept for the history retention). DEAD_LETTERING: out of attempts (or an intake record Handoff refused), being written to the dead-letter topic.',
  values: jobStates,
});

const JobHeaderRef = builder.objectRef<{ key: string; value: string }>('JobHeader').implement({
  fields: (t) => ({ key: t.exposeString('key'), value: t.exposeString('value') }),
});

const JobSourceRef = builder.objectRef<NonNullable<Job['source']>>('JobSource').implement({
  description: 'Where the Kafka intake read a job: the record at this topic, partition and offset (read again, it is not a second job).',
  fields: (t) => ({ topic: t.exposeString('topic'), partition: t.exposeInt('partition'), offset: t.exposeString('offset') }),
});

export const JobRef = builder.objectRef<Job>('Job').implement({
  description: 'A unit of work in a pool: from the backlog (submitJobs, the Kafka intake) or from a producer (dispatch, attachJob).',
  fields: (t) => ({
    id: t.exposeID('id'),
    pool: t.exposeString('pool'),
    state: t.field({ type: JobStateEnum, resolve: (job) => job.state }),
    labels: t.exposeStringList('labels', { description: 'A consumer must carry all of them.' }),
    priority: t.exposeInt('priority'),
    fairnessKey: t.exposeString('fairnessKey', { nullable: true }),
    attempts: t.exposeInt('attempts', { description: 'Deliveries so far.' }),
    key: t.exposeString('key', { nullable: true }),
    value: t.exposeString('value', { nullable: true }),
    headers: t.field({ type: [JobHeaderRef], resolve: (job) => Object.entries(job.headers).map(([key, value]) => ({ key, value })) }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    leaseId: t.exposeID('leaseId', { nullable: true, description: 'Its current lease, or its last one: lease(id) tells its consumer and attempt.' }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    endReason: t.exposeString('endReason', { nullable: true }),
    source: t.field({ type: JobSourceRef, nullable: true, description: 'Where the Kafka intake read it; null for a job submitted through the API.', resolve: (job) => job.source }),
  }),
});

const PageInfoJobsRef = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('JobPageInfo').implement({
  fields: (t) => ({ hasNextPage: t.exposeBoolean('hasNextPage'), endCursor: t.exposeString('endCursor', { nullable: true }) }),
});

const JobConnectionRef = builder.objectRef<Connection<Job>>('JobConnection').implement({
  fields: (t) => ({
    nodes: t.field({ type: [JobRef], resolve: (page) => page.edges.map((edge) => edge.node) }),
    pageInfo: t.field({ type: PageInfoJobsRef, resolve: (page) => page }),
  }),
});

const SubmitJobInput = builder.inputType('SubmitJobInput', {
  fields: (t) => ({
    key: t.string(),
    value: t.string({ required: true }),
    headers: t.field({ type: [HeaderInput] }),
    labels: t.stringList({ description: 'Only consumers carrying all of these take it.' }),
    priority: t.int({ description: `Higher goes first, ${priorityRange.min} … ${priorityRange.max}; default 0.` }),
    fairnessKey: t.string({ description: 'A tenant or customer: slots go round-robin (weighted) across the keys with work.' }),
    idempotencyKey: t.string({ description: 'Submitted again with the same key (in this pool, within the history retention): not added twice.' }),
  }),
});

const FairnessKeyRef = builder.objectRef<{ pool: string; key: string; weight: number; maxInFlight: number | null; inFlight: number }>('FairnessKey').implement({
  fields: (t) => ({
    pool: t.exposeString('pool'),
    key: t.exposeString('key'),
    weight: t.exposeFloat('weight', { description: 'Its share of slots against the other keys with work (default 1).' }),
    maxInFlight: t.exposeInt('maxInFlight', { nullable: true, description: 'At most this many of its jobs in flight across the pool; null: no limit.' }),
    inFlight: t.exposeInt('inFlight', { description: 'Its jobs in flight, counted while it has a limit.' }),
  }),
});

builder.queryFields((t) => ({
  job: t.field({
    type: JobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    authScopes: async (_root, args, ctx) => {
      const job = await ctx.coordinator.jobs.job(args.id);
      return job ? { admin: true, producer: job.pool } : { admin: true };
    },
    resolve: (_root, args, ctx) => ctx.coordinator.jobs.job(args.id),
  }),
  jobs: t.field({
    type: JobConnectionRef,
    description: 'A pool’s jobs (not waiting producers), oldest first, a page at a time.',
    args: {
      pool: t.arg.string({ required: true }),
      state: t.arg({ type: JobStateEnum }),
      ...pageArgs(t),
    },
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    resolve: async (_root, { after, ...filter }, ctx) =>
      toConnection('job', await ctx.coordinator.jobs.jobs({ ...filter, afterId: idFromCursor('job', after) })),
  }),
}));

builder.mutationFields((t) => ({
  submitJobs: t.field({
    type: [JobRef],
    description:
      'Adds jobs to the pool’s backlog (1–1000 at a time) and returns them; the producer need not wait. A freed slot takes the next one in order, and Handoff produces it. BACKLOG_FULL past the pool’s limit (nothing added); KAFKA_UNAVAILABLE without Kafka.',
    args: { pool: t.arg.string({ required: true }), jobs: t.arg({ type: [SubmitJobInput], required: true }) },
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    resolve: (_root, args, ctx) =>
      ctx.coordinator.jobs.submitJobs(
        args.pool,
        args.jobs.map(({ key, value, headers, ...order }) => ({ ...order, message: { key, value, headers } })),
      ),
  }),
  cancelJob: t.field({
    type: JobRef,
    description: 'Cancels a PENDING backlog job; CONFLICT once it has a lease. Written to the audit log (auditLog) with the key that did it.',
    args: { id: t.arg.id({ required: true }) },
    authScopes: async (_root, args, ctx) => {
      const job = await ctx.coordinator.jobs.job(args.id);
      return job ? { admin: true, producer: job.pool } : { admin: true };
    },
    resolve: (_root, args, ctx) => ctx.coordinator.jobs.cancelJob(args.id, actorOf(ctx)),
  }),
  setFairnessWeight: t.field({
    type: FairnessKeyRef,
    description: 'A fairness key’s share of slots against the pool’s other keys with work (0.01–10000; default 1).',
    args: { pool: t.arg.string({ required: true }), key: t.arg.string({ required: true }), weight: t.arg.float({ required: true }) },
    authScopes: { admin: true },
    resolve: (_root, args, ctx) => ctx.coordinator.jobs.setFairness(args.pool, args.key, { weight: args.weight }, false),
  }),
  setConcurrencyLimit: t.field({
    type: FairnessKeyRef,
    description: 'At most maxInFlight jobs of this fairness key in flight across the pool (null: no limit); its other jobs wait without holding others up.',
    args: { pool: t.arg.string({ required: true }), key: t.arg.string({ required: true }), maxInFlight: t.arg.int() },
    authScopes: { admin: true },
    resolve: (_root, args, ctx) => ctx.coordinator.jobs.setFairness(args.pool, args.key, { maxInFlight: args.maxInFlight }, true),
  }),
}));
