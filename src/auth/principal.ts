// Who is calling, as an API key says, and what that key may touch.

export const apiKeyRoles = ['ADMIN', 'PRODUCER', 'CONSUMER'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

export interface ApiKey {
  id: string;
  role: ApiKeyRole;
  /** PRODUCER and CONSUMER keys may be limited to one pool. */
  pool: string | null;
  /** CONSUMER keys: the consumer id they act for, or a prefix ending in '*'. */
  consumerId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export type Principal = Pick<ApiKey, 'id' | 'role' | 'pool' | 'consumerId'>;

/** With HANDOFF_AUTH=off every caller is this. */
export const unauthenticatedAdmin: Principal = { id: 'auth-off', role: 'ADMIN', pool: null, consumerId: null };

/**
 * A PRODUCER key may claim, dispatch and watch in the one pool a call names: its own, or any when it
 * has none. A call that names no pool ('': pool names are never empty) reads across every pool, which
 * only ADMIN keys may.
 */
export const producesIn = (principal: Principal | null, pool: string): boolean =>
  principal?.role === 'PRODUCER' && pool !== '' && (principal.pool === null || principal.pool === pool);

/**
 * A CONSUMER key may act for its consumer id (or ids with its prefix), and, when it has a pool, only
 * on a consumer of that pool. `pool` is the consumer's pool as registered (or where it is being
 * registered); null only for a consumer that is not registered, which nothing can be done to.
 */
export function actsFor(principal: Principal | null, consumer: { id: string; pool: string | null }): boolean {
  if (principal?.role !== 'CONSUMER' || principal.consumerId === null) return false;
  if (principal.pool !== null && consumer.pool !== null && consumer.pool !== principal.pool) return false;
  const bound = principal.consumerId;
  if (!bound.endsWith('*')) return consumer.id === bound;
  // A bare '*' (refused since; an old key may carry it) acts for no one, rather than for every consumer.
  const prefix = bound.slice(0, -1);
  return prefix !== '' && consumer.id.startsWith(prefix);
}
