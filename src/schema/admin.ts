// The operator console's API (ADMIN keys only): act on consumers, leases and dead letters — every
// action written to the audit log with the key that did it — and read what the dashboard shows: the
// leases in flight, the dead letters, the pools' last hour, the audit log.
import type { ObjectRef, SchemaTypes } from '@pothos/core';
import type { ConsoleSettings, DeadLetter, LeaseInFlight, Preview } from '../coordinator/admin.js';
import { type AuditEntry, auditActions } from '../coordinator/audit.js';
import type { PoolSample } from '../coordinator/history.js';
import { actorOf } from './actor.js';
import { builder } from './builder.js';
import { type Connection, idFromCursor, pageArgs, toConnection } from './connection.js';
import { ConsumerRef, PageInfoRef } from './consumer.js';
import { JobRef } from './job.js';
import { LeaseRef } from './lease.js';

const adminOnly = { admin: true } as const;
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

const AuditActionEnum = builder.enumType('AuditAction', { values: auditActions });

const AuditEntryRef = builder.objectRef<AuditEntry>('AuditEntry').implement({
  description: 'One operator action: who (the API key), when, what, to which consumer, lease or job.',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.expose('at', { type: 'DateTime' }),
    actorKeyId: t.exposeString('actorKeyId', { description: "The API key's id (apiKeys); 'auth-off' when the server runs with HANDOFF_AUTH=off." }),
    actorRole: t.exposeString('actorRole'),
    action: t.field({ type: AuditActionEnum, resolve: (entry) => entry.action }),
    pool: t.exposeString('pool'),
    target: t.exposeString('target', { description: 'The consumer id, lease id or job id acted on.' }),
    summary: t.exposeString('summary', { description: 'What changed, in words.' }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The request id (X-Request-Id) of the call: its log lines carry it.' }),
  }),
});

const PreviewRef = builder.objectRef<Preview>('PayloadPreview').implement({
  description: 'The start of a payload: at most 200 characters, control and invisible characters written as escapes (\\n, \\u001b, …).',
  fields: (t) => ({
    text: t.exposeString('text'),
    truncated: t.exposeBoolean('truncated', { description: 'The payload is longer than this.' }),
  }),
});

const DeadLetterStateEnum = builder.enumType('DeadLetterState', {
  description: 'DEAD_LETTERED: written to the pool’s dead-letter topic; DEAD_LETTERING: out of attempts, waiting to be written (Kafka was unreachable).',
  values: ['DEAD_LETTERING', 'DEAD_LETTERED'] as const,
});

const DeadLetterRef = builder.objectRef<DeadLetter>('DeadLetter').implement({
  description: 'A job out of attempts. job(id) has its whole payload; replayDeadLetter or discardDeadLetter decides its fate.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job’s id.' }),
    pool: t.exposeString('pool'),
    state: t.field({ type: DeadLetterStateEnum, resolve: (dead) => dead.state }),
    attempts: t.exposeInt('attempts'),
    priority: t.exposeInt('priority'),
    fairnessKey: t.exposeString('fairnessKey', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why its last attempt ended (the consumer’s failure reason, or the expiry).' }),
    deadLetteredAt: t.expose('deadLetteredAt', { type: 'DateTime', nullable: true }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime' }),
    key: t.field({ type: PreviewRef, nullable: true, resolve: (dead) => dead.keyPreview }),
    keyBytes: t.exposeInt('keyBytes', { nullable: true }),
    value: t.field({ type: PreviewRef, resolve: (dead) => dead.valuePreview }),
    valueBytes: t.exposeInt('valueBytes', { description: 'The whole value’s size in bytes (UTF-8).' }),
    headerCount: t.exposeInt('headerCount'),
    lastLeaseId: t.exposeID('lastLeaseId', { nullable: true }),
    lastConsumerId: t.exposeString('lastConsumerId', { nullable: true, description: 'The consumer of its last attempt.' }),
    topic: t.exposeString('topic', { nullable: true, description: 'The dead-letter topic it was written to (null while DEAD_LETTERING).' }),
  }),
});

const LeaseInFlightRef = builder.objectRef<LeaseInFlight>('LeaseInFlight').implement({
  description: 'An active lease (CLAIMED or DISPATCHED), with what an operator needs to judge it stuck.',
  fields: (t) => ({
    id: t.exposeID('id'),
    lease: t.field({ type: LeaseRef, resolve: (lease) => lease }),
    pool: t.exposeString('pool'),
    jobId: t.exposeID('jobId', { nullable: true, description: 'The job it carries; null for a claim whose producer recorded no job yet.' }),
    topic: t.exposeString('topic', { nullable: true, description: 'The topic its job was produced to.' }),
    dispatchedAt: t.expose('dispatchedAt', { type: 'DateTime', nullable: true }),
    ageSeconds: t.float({ description: 'How long since it was claimed, by the database’s clock.', resolve: (lease) => lease.ageMs / 1000 }),
    expiresInSeconds: t.float({ description: 'Until its deadline (negative: past it; the sweeper ends it soon).', resolve: (lease) => lease.expiresInMs / 1000 }),
  }),
});

const PoolSampleRef = builder.objectRef<PoolSample>('PoolSample').implement({
  description: 'A pool over one sample interval (rates) and at its end (gauges).',
  fields: (t) => ({
    pool: t.exposeString('pool'),
    at: t.expose('at', { type: 'DateTime', description: 'The end of the interval.' }),
    intervalSeconds: t.float({ resolve: (sample) => sample.intervalMs / 1000 }),
    claims: t.exposeInt('claims', { description: 'Leases claimed in the interval.' }),
    completions: t.exposeInt('completions', { description: 'Leases completed in the interval.' }),
    claimsPerSecond: t.float({ resolve: (sample) => (sample.claims * 1000) / sample.intervalMs }),
    completionsPerSecond: t.float({ resolve: (sample) => (sample.completions * 1000) / sample.intervalMs }),
    waitP50Seconds: t.float({
      nullable: true,
      description: 'Median wait of the jobs whose first lease came in the interval, from submission (or a producer starting to wait) to that lease; a claim that found a consumer free waited 0. Null when none did.',
      resolve: (sample) => seconds(sample.waitP50Ms),
    }),
    waitP99Seconds: t.float({ nullable: true, description: 'The 99th percentile of the same waits.', resolve: (sample) => seconds(sample.waitP99Ms) }),
    backlog: t.exposeInt('backlog', { description: 'Backlog jobs waiting for a slot.' }),
    waitingProducers: t.exposeInt('waitingProducers'),
    deadLettered: t.exposeInt('deadLettered'),
    free: t.exposeInt('free', { description: 'Alive, declared FREE, with a slot left.' }),
    full: t.exposeInt('full', { description: 'Alive, declared FREE, every slot in use.' }),
    busy: t.exposeInt('busy'),
    draining: t.exposeInt('draining'),
    offline: t.exposeInt('offline'),
    inFlight: t.exposeInt('inFlight'),
    capacity: t.exposeInt('capacity'),
  }),
});

const ConsoleSettingsRef = builder
  .objectRef<ConsoleSettings>('ConsoleSettings')
  .implement({
    description: 'How to read what the console shows (from the server’s configuration).',
    fields: (t) => ({
      sampleIntervalSeconds: t.float({ description: 'HANDOFF_SAMPLE_INTERVAL_MS: one PoolSample per pool this often.', resolve: (s) => s.sampleIntervalMs / 1000 }),
      historySeconds: t.float({ description: 'How far back poolSamples reach.', resolve: (s) => s.historyWindowMs / 1000 }),
      offlineFoldSeconds: t.float({ description: 'HANDOFF_OFFLINE_FOLD_MS: the dashboard folds away consumers OFFLINE for longer (0: never).', resolve: (s) => s.offlineFoldMs / 1000 }),
      maxAttempts: t.exposeInt('maxAttempts'),
      heartbeatTtlSeconds: t.float({ resolve: (s) => s.heartbeatTtlMs / 1000 }),
    }),
  });

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** A connection of `node` items (nodes and the shared PageInfo). */
function connectionOf<T>(name: string, node: ObjectRef<Types, T>) {
  return builder.objectRef<Connection<T>>(name).implement({
    fields: (t) => ({
      nodes: t.field({ type: [node], resolve: (page) => page.edges.map((edge) => edge.node) }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (page) => page }),
    }),
  });
}

const LeaseInFlightConnectionRef = connectionOf<LeaseInFlight>('LeaseInFlightConnection', LeaseInFlightRef);
const DeadLetterConnectionRef = connectionOf<DeadLetter>('DeadLetterConnection', DeadLetterRef);
const AuditEntryConnectionRef = connectionOf<AuditEntry>('AuditEntryConnection', AuditEntryRef);

builder.queryFields((t) => ({
  leasesInFlight: t.field({
    type: LeaseInFlightConnectionRef,
    description: 'Active leases (CLAIMED, DISPATCHED), the longest held first, a page at a time.',
    authScopes: adminOnly,
    args: { pool: t.arg.string(), ...pageArgs(t) },
    resolve: async (_root, { after, ...filter }, ctx) =>
      toConnection('lease', await ctx.coordinator.admin.leasesInFlight({ ...filter, afterId: idFromCursor('lease', after) })),
  }),
  deadLetters: t.field({
    type: DeadLetterConnectionRef,
    description: 'Jobs out of attempts (DEAD_LETTERING, DEAD_LETTERED), oldest first, with the start of their payloads; a page at a time.',
    authScopes: adminOnly,
    args: { pool: t.arg.string(), ...pageArgs(t) },
    resolve: async (_root, { after, ...filter }, ctx) =>
      toConnection('dead', await ctx.coordinator.admin.deadLetters({ ...filter, afterId: idFromCursor('dead', after) })),
  }),
  auditLog: t.field({
    type: AuditEntryConnectionRef,
    description: 'What operators did (drain, resume, remove, requeue, expire, replay, discard, cancel), newest first, a page at a time.',
    authScopes: adminOnly,
    args: pageArgs(t),
    resolve: async (_root, args, ctx) =>
      toConnection('audit', await ctx.coordinator.auditLog.entries(args.first, idFromCursor('audit', args.after))),
  }),
  poolSamples: t.field({
    type: [PoolSampleRef],
    description:
      'The last hour of each pool (or one), one sample per interval (consoleSettings.sampleIntervalSeconds), by pool then time; only those after `since` when given. Stored in the database: every replica answers the same.',
    authScopes: adminOnly,
    args: { pool: t.arg.string(), since: t.arg({ type: 'DateTime' }) },
    resolve: (_root, args, ctx) => ctx.coordinator.history.samples(args.pool, args.since),
  }),
  consoleSettings: t.field({
    type: ConsoleSettingsRef,
    authScopes: adminOnly,
    resolve: (_root, _args, ctx) => ctx.coordinator.admin.consoleSettings,
  }),
}));

const reasonArg = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) =>
  t.arg.string({ description: 'A note for the audit log and the end reason (up to 500 characters).' });

builder.mutationFields((t) => ({
  drainConsumer: t.field({
    type: ConsumerRef,
    description:
      'Declares the consumer DRAINING for it (no epoch; not a sign of life): it takes no new job, and the leases it holds finish. It lasts until the consumer declares otherwise or registers again. CONFLICT when already DRAINING.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.drainConsumer(args.id, actorOf(ctx)),
  }),
  resumeConsumer: t.field({
    type: ConsumerRef,
    description: 'Ends a drain: the consumer is FREE again and its free slots take their next jobs at once. CONFLICT unless it is declared DRAINING.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.resumeConsumer(args.id, actorOf(ctx)),
  }),
  removeConsumer: t.field({
    type: ConsumerRef,
    description:
      'Deregisters a consumer without its epoch (its topic is freed; its leases stay readable for the history retention). Refused with CONFLICT while it holds leases: drain it and let them end, or requeue or expire them, first — a removal never drops a job. A process still running gets NOT_FOUND on its next call and may register again.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.removeConsumer(args.id, actorOf(ctx)),
  }),
  requeueLease: t.field({
    type: LeaseRef,
    description:
      'Releases an active lease as an operator: RELEASED, its slot free (and given its next job). Its job waits first in line to be sent again, its attempts kept as they are (the delivery counted) and never dead-lettered by this; a claim without a job just ends. The consumer may still be working on it: its completeLease will be CONFLICT.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }), reason: reasonArg(t) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.requeueLease(args.id, args.reason, actorOf(ctx)),
  }),
  expireLease: t.field({
    type: LeaseRef,
    description:
      'Expires an active lease now, as its deadline would: EXPIRED, its slot free; its job is sent again (attempt + 1) or, after its last attempt, dead-lettered.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }), reason: reasonArg(t) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.expireLease(args.id, args.reason, actorOf(ctx)),
  }),
  replayDeadLetter: t.field({
    type: JobRef,
    description:
      'Puts a dead-lettered job back in its pool as PENDING, first in line (like a job sent again), with its attempts reset to 0: it gets all of HANDOFF_MAX_ATTEMPTS again. It is in line from now (submittedAt becomes the replay’s time). Its record stays on the dead-letter topic. KAFKA_UNAVAILABLE without Kafka; CONFLICT for a job that is not dead-lettered.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.replayDeadLetter(args.id, actorOf(ctx)),
  }),
  discardDeadLetter: t.field({
    type: JobRef,
    description: 'Gives up on a dead-lettered job: CANCELLED (kept for the history retention; its record stays on the dead-letter topic). CONFLICT for a job that is not dead-lettered.',
    authScopes: adminOnly,
    args: { id: t.arg.id({ required: true }), reason: reasonArg(t) },
    resolve: (_root, args, ctx) => ctx.coordinator.admin.discardDeadLetter(args.id, args.reason, actorOf(ctx)),
  }),
}));
