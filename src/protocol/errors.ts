// Every code a Handoff error carries in `extensions.code`, shared by the server, the SDK and the README
// (test/errors.test.ts checks that the README lists exactly these).

export const errorCodes = {
  BAD_USER_INPUT:
    'An argument is invalid, or the request is malformed: a parse or validation error, a query over a limit, a body over the limit, a request HTTP cannot carry (its method, Content-Type, Accept, a missing CSRF header).',
  NOT_FOUND: 'The consumer, lease, pool or API key does not exist.',
  CONFLICT: 'The state does not allow it: a lease already ended or held by another consumer, a topic in use, a consumer with leases.',
  STALE_EPOCH: 'The epoch given is not the consumer’s current one: another registration replaced this instance.',
  NO_FREE_CONSUMER: 'No matching consumer is free now (or within waitMs).',
  BACKLOG_FULL: 'The pool’s backlog is at its limit (HANDOFF_BACKLOG_LIMIT); nothing was added. Retry later.',
  KAFKA_UNAVAILABLE: 'Kafka is not configured or cannot be reached; nothing was sent and no slot was kept.',
  DATABASE_UNAVAILABLE: 'The database cannot be reached; retry shortly.',
  UNAUTHENTICATED: 'No API key, a malformed Authorization, or an unknown or revoked key; also the last result of a subscription whose key was just revoked.',
  FORBIDDEN: 'The API key may not do this.',
  RATE_LIMITED: 'Over a per-key limit (mutations per second, open subscriptions); retry later.',
  SHUTTING_DOWN: 'This replica is shutting down; retry on another one.',
  INTERNAL_SERVER_ERROR: 'An unexpected error; the server logged it with the request id given in extensions.requestId.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const isErrorCode = (value: unknown): value is ErrorCode => typeof value === 'string' && Object.hasOwn(errorCodes, value);

/** A refusal with a code clients may see as it is. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Facts a client may act on, sent in extensions beside the code. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}
