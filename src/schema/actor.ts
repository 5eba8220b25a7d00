// Who is acting, for the audit log: the caller's API key and the request's id.
import type { Actor } from '../coordinator/audit.js';
import { currentRequestId } from '../logger.js';
import type { Context } from './builder.js';
import { codedError } from './errors.js';

export function actorOf(ctx: Context): Actor {
  if (!ctx.principal) throw codedError('UNAUTHENTICATED', ctx.credentialProblem);
  return { keyId: ctx.principal.id, role: ctx.principal.role, requestId: currentRequestId() ?? null };
}
