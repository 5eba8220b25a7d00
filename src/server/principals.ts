// Who is calling: the API key a bearer token names, the same way on every transport.
import type { ApiKeys } from '../auth/apiKeys.js';
import { type Principal, unauthenticatedAdmin } from '../auth/principal.js';

/** The caller's key from an Authorization value (`Bearer <token>`); null when none, unknown or revoked. */
export type PrincipalLookup = (authorization: unknown) => Promise<Principal | null>;

export function bearerPrincipals(auth: boolean, keys: ApiKeys): PrincipalLookup {
  return async (authorization) => {
    if (!auth) return unauthenticatedAdmin;
    const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    return token ? ((await keys.authenticate(token)) ?? null) : null;
  };
}

/** Why a request has no principal, as a client should read it. */
export function credentialProblem(authorization: unknown): string {
  if (authorization === undefined || authorization === null || authorization === '') {
    return 'an API key is required: Authorization: Bearer <token>';
  }
  if (typeof authorization !== 'string' || !/^Bearer\s+\S+$/i.test(authorization)) return 'the Authorization value must be Bearer <token>';
  return 'this API key is unknown or revoked';
}

/** The `authorization` entry, in any letter case, of graphql-ws connectionParams (as the SDK sends it) or of an operation's extensions.headers (as GraphiQL does). */
export function authorizationIn(entries: Record<string, unknown> | undefined): unknown {
  const name = Object.keys(entries ?? {}).find((key) => key.toLowerCase() === 'authorization');
  return name === undefined ? undefined : entries?.[name];
}
