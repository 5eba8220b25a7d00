// Lease: claims, their end, and waiting for a free consumer.
import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import { Repeater } from 'graphql-yoga';
import type { Dispatch } from '../coordinator/claims.js';
import { leaseStates, type Lease } from '../coordinator/types.js';
import { type Context, builder } from './builder.js';
import { ConsumerRef } from './consumer.js';
import { codedError } from './errors.js';

const LeaseStateEnum = builder.enumType('LeaseState', {
  description: 'CLAIMED and DISPATCHED hold a slot of the consumer; the others are ended. An EXPIRED or FAILED job is sent again as a new lease with attempt + 1.',
  values: leaseStates,
});

export const LeaseRef = builder.objectRef<Lease>('Lease').implement({
  description: "A reserved slot of one consumer: the right to send it one job.",
  fields: (t) => ({
    id: t.exposeID('id'),
    consumer: t.field({ type: ConsumerRef, description: 'The consumer as it was when the lease last changed.', resolve: (lease) => lease.consumer }),
    state: t.field({ type: LeaseStateEnum, resolve: (lease) => lease.state }),
    attempt: t.exposeInt('attempt'),
    claimedAt: t.expose('claimedAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'A claim not dispatched by then expires and frees the slot.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    endReason: t.exposeString('endReason', { nullable: true, description: 'Why it ended, when it expired, failed or was dead-lettered.' }),
  }),
});

/**
 * Who may touch a lease: an admin, a producer of its pool, and (unless only producers may) its
 * consumer's key. Its pool is its consumer's: a consumer changes pool only while it holds no lease.
 */
async function leaseScopes(ctx: Context, id: string, only?: 'producer') {
  // A CONSUMER key may never do what only producers may: refused before anything is read.
  if (only === 'producer' && ctx.principal?.role === 'CONSUMER') return { admin: true };
  const lease = await ctx.coordinator.leases.lease(id);
  if (!lease) return { admin: true };
  const { consumer } = lease;
  return only === 'producer' ? { admin: true, producer: consumer.pool } : { admin: true, producer: consumer.pool, consumer };
}

/**
 * Who may end or extend a lease as its consumer: a CONSUMER key for the lease's consumer, of its pool
 * when the key has one, and only with the consumer's id and its current epoch (fencing is not
 * optional for consumers; the lease then checks them); an admin may leave them out.
 */
async function ownerScopes(ctx: Context, args: { id: string; consumerId?: string | null; epoch?: number | null }) {
  if (ctx.principal?.role !== 'CONSUMER') return { admin: true };
  const missing = [args.consumerId == null ? 'consumerId' : '', args.epoch == null ? 'epoch' : ''].filter(Boolean);
  if (missing.length > 0) {
    throw codedError(
      'BAD_USER_INPUT',
      `a CONSUMER key must pass ${missing.join(' and ')}: the consumer's id and its current epoch (from registerConsumer), so a replaced instance cannot act on the lease`,
    );
  }
  const lease = await ctx.coordinator.leases.lease(args.id);
  return { admin: true, consumer: lease?.consumer ?? { id: args.consumerId ?? '', pool: null } };
}

const claimArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  pool: t.arg.string({ required: true }),
  labels: t.arg.stringList({ description: 'Only consumers carrying all of these labels.' }),
  ttlMs: t.arg.int({ description: 'How long the claim holds without a dispatch (100 ms – 1 h; default 30 s).' }),
});

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

/** Where a waiting producer stands in line (as a backlog job would), and its own key for the request. */
const waitArgs = (arg: ArgBuilder<SchemaTypesOf<typeof builder>>) => ({
  priority: arg.int({ description: 'Higher goes first, -10 … 10; default 0. A wait behind higher priorities ages one level per HANDOFF_PRIORITY_AGEING_MS.' }),
  fairnessKey: arg.string({ description: 'A tenant or customer: slots go round-robin (weighted) across the keys with work, and a key may have a limit of jobs in flight.' }),
  requestKey: arg.string({
    description:
      'Your key for this request (per API key and pool): a retry or resubscription with the same key gets the same lease, never a second slot. Also what keeps two identical subscriptions apart where a client merges them (Apollo).',
  }),
});

/** Who waits: waits and request keys belong to the caller's API key. */
const requesterOf = (ctx: Context) => (ctx.principal ? { keyId: ctx.principal.id } : undefined);

export const HeaderInput = builder.inputType('HeaderInput', {
  fields: (t) => ({ key: t.string({ required: true }), value: t.string({ required: true }) }),
});

const DispatchMessageInput = builder.inputType('DispatchMessageInput', {
  description: 'A Kafka record. Header names starting with handoff- are reserved.',
  fields: (t) => ({
    key: t.string(),
    value: t.string({ required: true }),
    headers: t.field({ type: [HeaderInput] }),
  }),
});

const DispatchRef = builder.objectRef<Dispatch>('Dispatch').implement({
  description: "A job produced to a claimed consumer's topic.",
  fields: (t) => ({
    lease: t.field({ type: LeaseRef, resolve: (dispatch) => dispatch.lease }),
    topic: t.exposeString('topic'),
    partition: t.exposeInt('partition'),
    offset: t.exposeString('offset'),
  }),
});

builder.queryFields((t) => ({
  lease: t.field({
    authScopes: (_root, args, ctx) => leaseScopes(ctx, args.id),
    type: LeaseRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.leases.lease(args.id),
  }),
}));

builder.mutationFields((t) => ({
  claimFreeConsumer: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    type: LeaseRef,
    description: 'Atomically reserves a slot of the longest-idle free consumer; NO_FREE_CONSUMER when none.',
    args: claimArgs(t),
    resolve: (_root, args, ctx) => ctx.coordinator.claims.claimFreeConsumer(args),
  }),
  completeLease: t.field({
    authScopes: (_root, args, ctx) => ownerScopes(ctx, args),
    type: LeaseRef,
    description: 'The job is done: the slot is free again. CONSUMER keys must pass consumerId and the current epoch (checked; a sign of life).',
    args: { id: t.arg.id({ required: true }), consumerId: t.arg.id(), epoch: t.arg.int() },
    resolve: (_root, args, ctx) => ctx.coordinator.leases.completeLease(args.id, args),
  }),
  attachJob: t.field({
    authScopes: (_root, args, ctx) => leaseScopes(ctx, args.id, 'producer'),
    type: LeaseRef,
    description:
      'For producers that send the job to Kafka themselves: records it on the CLAIMED lease before sending, so the lease is DISPATCHED with a processing deadline and Handoff can send the job again if its consumer fails.',
    args: { id: t.arg.id({ required: true }), message: t.arg({ type: DispatchMessageInput, required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.claims.attachJob(args.id, args.message),
  }),
  failLease: t.field({
    authScopes: (_root, args, ctx) => ownerScopes(ctx, args),
    type: LeaseRef,
    description: 'The job failed: the slot is free again, and the job is sent again (attempt + 1) or, after maxAttempts, to the dead-letter topic. CONSUMER keys must pass consumerId and the current epoch.',
    args: { id: t.arg.id({ required: true }), reason: t.arg.string(), consumerId: t.arg.id(), epoch: t.arg.int() },
    resolve: (_root, args, ctx) => ctx.coordinator.leases.failLease(args.id, args.reason, args),
  }),
  extendLease: t.field({
    authScopes: (_root, args, ctx) => ownerScopes(ctx, args),
    type: LeaseRef,
    description: 'Moves the deadline of an active lease to ms from now (a long job keeps its lease). CONSUMER keys must pass consumerId and the current epoch (a sign of life).',
    args: { id: t.arg.id({ required: true }), ms: t.arg.int({ required: true }), consumerId: t.arg.id(), epoch: t.arg.int() },
    resolve: (_root, args, ctx) => ctx.coordinator.leases.extendLease(args.id, args.ms, args),
  }),
  dispatch: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    type: DispatchRef,
    description:
      "Claims a free consumer (waiting up to waitMs, in line with awaitFreeConsumer), then produces the message to its topic with headers handoff-lease-id and handoff-attempt. If producing fails, the lease is released and the error is KAFKA_UNAVAILABLE.",
    args: {
      ...claimArgs(t),
      ...waitArgs(t.arg),
      message: t.arg({ type: DispatchMessageInput, required: true }),
      waitMs: t.arg.int({ description: 'How long to wait for a free consumer, in line with everyone else; default 0.' }),
    },
    resolve: (_root, args, ctx) => ctx.coordinator.claims.dispatch(args, undefined, requesterOf(ctx)),
  }),
  releaseLease: t.field({
    authScopes: (_root, args, ctx) => leaseScopes(ctx, args.id, 'producer'),
    type: LeaseRef,
    description: 'Gives the slot back without a job.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.coordinator.leases.releaseLease(args.id),
  }),
}));

builder.subscriptionFields((t) => ({
  awaitFreeConsumer: t.field({
    authScopes: (_root, args) => ({ admin: true, producer: args.pool }),
    type: LeaseRef,
    description:
      'Waits in line and yields one lease, claimed for this subscriber, then completes. Waiting producers and backlog jobs share one line per pool (priority, fairness key, then arrival, on every replica); each freed slot goes to exactly one.',
    args: {
      pool: t.arg.string({ required: true }),
      labels: t.arg.stringList(),
      ttlMs: t.arg.int(),
      ...waitArgs(t.arg),
    },
    subscribe: (_root, args, ctx) =>
      new Repeater<Lease>(async (push, stop) => {
        const leaving = new AbortController();
        void stop.then(() => leaving.abort());
        try {
          const lease = await ctx.coordinator.claims.awaitFreeConsumer(args, leaving.signal, requesterOf(ctx));
          // A subscriber gone (or revoked) as its lease was claimed is given nothing: the slot goes back.
          if (leaving.signal.aborted) await ctx.coordinator.leases.releaseLease(lease.id);
          else await push(lease);
          stop();
        } catch (error) {
          // A subscriber that left needs no error; anything else ends the stream with it.
          stop(leaving.signal.aborted ? undefined : error);
        }
      }),
    resolve: (lease) => lease,
  }),
}));
