// What code that runs SQL needs from a database, whichever one it is (PostgreSQL, PGlite).
import type { Sql } from './statement.js';

export interface SqlDatabase {
  /** Runs one statement; its rows. */
  query<Row>(statement: Sql): Promise<Row[]>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlDatabase) => Promise<T>): Promise<T>;
}

/** The SQLSTATE and constraint of a database error, as both drivers report them. */
const sqlErrorOf = (error: unknown): { code?: unknown; constraint?: unknown } =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown; constraint?: unknown }) : {};

/** PostgreSQL's unique_violation (23505) on the named constraint or index. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: name } = sqlErrorOf(error);
  return code === '23505' && name === constraint;
}

/** Node's socket error codes for a server that is gone or cannot be reached. */
const unreachableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when an error says the database is down or the connection to it was lost (not that a
 * statement was wrong): a restart, a failover, a network cut. Callers retry such errors later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const { code } = current as Error & { code?: unknown };
    if (typeof code === 'string') {
      if (unreachableErrnos.has(code)) return true;
      // 57P01–57P03: the server is shutting down or starting; class 08: connection exceptions.
      if (/^(57P0[123]|08[0-9A-Z]{3})$/.test(code)) return true;
    }
    if (/Connection terminated|connection timeout|Client has encountered a connection error|the database system is (shutting down|starting up)/i.test(current.message)) {
      return true;
    }
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}
