// What clients see when something goes wrong: a GraphQL error with a precise extensions.code, never a
// stack trace. Coordinator refusals keep their code; malformed requests are BAD_USER_INPUT; anything
// unexpected is logged here and masked.
import { GraphQLError, type ExecutionResult } from 'graphql';
import { CodedError, type ErrorCode, isErrorCode } from '../protocol/errors.js';
import { isDatabaseUnavailable } from '../sql/database.js';
import { type Logger, currentRequestId } from '../logger.js';

/** A refusal the client may see as it is: its message, and `code` as extensions.code. */
export const codedError = (code: ErrorCode, message: string) => new GraphQLError(message, { extensions: { code } });

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

/**
 * Only documented codes reach clients (src/protocol/errors.ts). Whatever else graphql-js, Yoga or a
 * limit plugin gives a request it refuses before execution — GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED, BAD_REQUEST, OPERATION_RESOLUTION_FAILURE, or no code — is the request's
 * fault: BAD_USER_INPUT, with the original code kept as `reason`.
 */
export function withClientErrorCode(error: GraphQLError): GraphQLError {
  const code = error.extensions.code;
  return isErrorCode(code) ? error : withCode(error, 'BAD_USER_INPUT', error.message, code);
}

/** graphql-js's hints ("Did you mean "consumer"?", "… the enum value "FREE"?") name parts of the schema. */
const suggestion = / ?Did you mean [^?]*\?/g;

const withoutSuggestion = (error: GraphQLError): GraphQLError => {
  const message = error.message.replace(suggestion, '');
  return message === error.message
    ? error
    : new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: error.extensions });
};

/** How every transport shapes the errors it sends. */
export interface ClientErrors {
  error(error: GraphQLError): GraphQLError;
  result<T extends ExecutionResult>(result: T): T;
}

/**
 * Documented codes on every error; and, unless `suggestions`, no "Did you mean …" hint: with
 * introspection off they would rebuild the schema one guess at a time. (Callers without a key never
 * get this far: they are refused before their request is parsed.)
 */
export function shapeClientErrors(options: { suggestions: boolean }): ClientErrors {
  const error = (raw: GraphQLError) => {
    const coded = withClientErrorCode(raw);
    return options.suggestions ? coded : withoutSuggestion(coded);
  };
  return {
    error,
    result: (result) => (result.errors?.length ? { ...result, errors: result.errors.map(error) } : result),
  };
}
