// API keys: created, listed and revoked by ADMIN keys only. Secrets are never returned but once.
import { type ApiKey, apiKeyRoles } from '../auth/principal.js';
import { builder } from './builder.js';

const ApiKeyRoleEnum = builder.enumType('ApiKeyRole', {
  description: 'ADMIN may do everything; PRODUCER claims, dispatches and watches in its pool; CONSUMER acts for its own consumer.',
  values: apiKeyRoles,
});

const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: ApiKeyRoleEnum, resolve: (key) => key.role }),
    pool: t.exposeString('pool', { nullable: true, description: 'PRODUCER and CONSUMER keys may be limited to one pool.' }),
    consumerId: t.exposeString('consumerId', { nullable: true, description: "The consumer id a CONSUMER key acts for, or a prefix ending in '*'." }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ token: string; key: ApiKey }>('CreatedApiKey').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret, shown this once: Authorization: Bearer <token>.' }),
    key: t.field({ type: ApiKeyRef, resolve: (created) => created.key }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    role: t.field({ type: ApiKeyRoleEnum, required: true }),
    pool: t.string(),
    consumerId: t.string({ description: "CONSUMER keys: the consumer id, or a prefix ending in '*'." }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: [ApiKeyRef],
    authScopes: { admin: true },
    resolve: (_root, _args, ctx) => ctx.keys.list(),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreatedApiKeyRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.keys.create(input),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    description: 'Takes effect on the next request; open WebSocket subscriptions of the key are closed.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.keys.revoke(args.id),
  }),
}));
