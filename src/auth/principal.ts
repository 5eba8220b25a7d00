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

/** A PRODUCER key may claim, dispatch and watch in its pool (any pool when it has none). */
export const producesIn = (principal: Principal | null, pool: string): boolean =>
  principal?.role === 'PRODUCER' && (principal.pool === null || principal.pool === pool);

/** A CONSUMER key may act for its consumer id (or ids with its prefix), in its pool when it has one. */
export function actsFor(principal: Principal | null, consumer: { id: string; pool?: string | null }): boolean {
  if (principal?.role !== 'CONSUMER' || principal.consumerId === null) return false;
  if (principal.pool !== null && consumer.pool != null && consumer.pool !== principal.pool) return false;
  const bound = principal.consumerId;
  return bound.endsWith('*') ? consumer.id.startsWith(bound.slice(0, -1)) : consumer.id === bound;
}
