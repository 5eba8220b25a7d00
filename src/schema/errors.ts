// What clients see when something goes wrong: a GraphQL error with a precise extensions.code, never a
// stack trace. Coordinator refusals keep their code; malformed requests are BAD_USER_INPUT; anything
// unexpected is logged here and masked.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { CodedError, type ErrorCode } from '../protocol/errors.js';
import { isDatabaseUnavailable } from '../sql/database.js';
import { type Logger, currentRequestId } from '../logger.js';

/** A refusal the client may see as it is: its message, and `code` as extensions.code. */
export const codedError = (code: ErrorCode, message: string) => new GraphQLError(message, { extensions: { code } });

/** Codes graphql-js and Yoga give malformed requests, which clients see as BAD_USER_INPUT. */
const malformedRequestCodes = new Set([undefined, 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

const withCode = (error: GraphQLError, code: string, message = error.message, reason?: unknown) =>
  new GraphQLError(message, {
    nodes: error.nodes,
    path: error.path,
    extensions: { ...error.extensions, code, ...(reason !== undefined && { reason }) },
  });

/** Yoga's maskError: turns what a resolver threw into what the client may see. */
export function maskError(log: Logger) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof CodedError) {
      const extensions = { code: original.code, ...original.details };
      return error instanceof GraphQLError
        ? new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: { ...error.extensions, ...extensions } })
        : new GraphQLError(original.message, { extensions });
    }
    // GraphQL errors raised by graphql-js (a variable's value, for one) or by our scalars are the caller's doing.
    if (error instanceof GraphQLError && original instanceof GraphQLError) {
      const code = (original.extensions.code ?? error.extensions.code) as string | undefined;
      return code === undefined ? withClientErrorCode(error) : withCode(error, code);
    }
    if (isDatabaseUnavailable(original)) {
      log.warn({ err: original }, 'database unavailable');
      return new GraphQLError('the database is unavailable; retry shortly', {
        ...(error instanceof GraphQLError && { nodes: error.nodes, path: error.path }),
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      });
    }
    log.error({ err: original }, 'unexpected error in a GraphQL operation');
    // The request id lets an operator find this error's log line; it tells the client nothing else.
    const requestId = currentRequestId();
    return new GraphQLError(message, {
      ...(error instanceof GraphQLError && { nodes: error.nodes, path: error.path }),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId && { requestId }) },
    });
  };
}

/** Errors raised before execution (parse, validation, variable values) get BAD_USER_INPUT, keeping the original code as reason. */
export function withClientErrorCode(error: GraphQLError): GraphQLError {
  const code = error.extensions.code as string | undefined;
  return malformedRequestCodes.has(code) ? withCode(error, 'BAD_USER_INPUT', error.message, code) : error;
}

export function withClientErrorCodes<T extends ExecutionResult>(result: T): T {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map(withClientErrorCode) };
}
