// The two backends behind one interface: PostgreSQL (production, several replicas) and PGlite
// (embedded default, in process, persisted to a data directory). Both speak the same SQL, and both
// deliver NOTIFY after commit, which is how changes are announced to every replica.
//
// The domain's statements run here directly (pg on PostgreSQL, each prepared once per connection
// by a name derived from its text; PGlite's own query on PGlite). Prisma owns the schema and the
// migrations, and its client is opened only for tools and tests that inspect the tables.
import { createHash } from 'node:crypto';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { type SqlDatabase, isDatabaseUnavailable } from '../sql/database.js';
import { type Sql, compile, sql } from '../sql/statement.js';
import { PrismaClient } from './generated/client.js';
import { applyMigrations, startPglite } from './migrate.js';
import { readMigrations } from './migrationFiles.js';
import { PgListener, type ListenHandlers, type Unlisten } from './pgListener.js';

export type { ListenHandlers, Unlisten };

export interface Database extends SqlDatabase {
  /** Receives every NOTIFY on the channel, sent by this replica or any other. */
  listen(channel: string, handlers: ListenHandlers): Promise<Unlisten>;
  /** Whether the database answers, and whether every migration this code ships is applied to it. */
  migrationState(): Promise<MigrationState>;
  /** Prisma Client on the same database, for tools and tests; opened on first use. */
  readonly prisma: PrismaClient;
  close(): Promise<void>;
}

export type MigrationState = 'applied' | 'pending' | 'unreachable';

/** The migrations this code ships, read from disk on the first readiness check, once. */
let shipped: Promise<string[]> | undefined;

/** One query: the migrations recorded as finished, against those this code ships. */
async function migrationStateOf(db: SqlDatabase): Promise<MigrationState> {
  let applied: { name: string }[];
  try {
    applied = await db.query<{ name: string }>(sql`
      SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return 'unreachable';
    throw error;
  }
  const names = new Set(applied.map((row) => row.name));
  shipped ??= readMigrations().then((migrations) => migrations.map((migration) => migration.name));
  return (await shipped).every((name) => names.has(name)) ? 'applied' : 'pending';
}

/** Opens the configured database and applies pending migrations. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize' | 'pgliteBuffersMb'>,
  log?: Logger,
): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, config.databasePoolSize, log)
    : openPglite(config);
}

function pgliteExecutor(db: PGlite | Transaction): SqlDatabase {
  const executor: SqlDatabase = {
    async query<Row>(statement: Sql) {
      const { text, values } = compile(statement);
      return (await db.query<Row>(text, values)).rows;
    },
    // PGlite is one connection: a transaction holds it whole, so work inside runs on `tx` only.
    transaction: (work) => ('transaction' in db ? db.transaction((tx) => work(pgliteExecutor(tx))) : work(executor)),
  };
  return executor;
}

async function openPglite(config: Pick<Config, 'dataDir' | 'pgliteBuffersMb'>): Promise<Database> {
  const pglite = await startPglite(config);
  await applyMigrations({ kind: 'pglite', pglite });
  const executor = pgliteExecutor(pglite);
  let prisma: PrismaClient | undefined;
  return {
    ...executor,
    async listen(channel, handlers) {
      return pglite.listen(channel, handlers.payload);
    },
    migrationState: () => migrationStateOf(executor),
    get prisma() {
      prisma ??= new PrismaClient({ adapter: new PrismaPGlite(pglite) });
      return prisma;
    },
    async close() {
      await prisma?.$disconnect();
      await pglite.close();
    },
  };
}

/** Statement names by text: pg prepares a named statement once per connection and reuses it. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `handoff_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    // Statements are built from this code's templates, so there are few; the bound is a guard.
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
}

function pgExecutor(client: pg.Pool | pg.PoolClient, pool: pg.Pool): SqlDatabase {
  return {
    async query<Row>(statement: Sql) {
      const { text, values } = compile(statement);
      const result = await client.query<Row & pg.QueryResultRow>({ name: statementName(text), text, values });
      return result.rows;
    },
    async transaction(work) {
      const connection = await pool.connect();
      let broken: Error | undefined;
      // A connection lost while checked out reports here (the pool listens only to idle ones); the
      // query in progress fails with it too, and that failure is what the caller sees.
      const lost = (error: Error) => {
        broken = error;
      };
      connection.on('error', lost);
      try {
        await connection.query('BEGIN');
        const result = await work(pgExecutor(connection, pool));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await connection.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
          throw new AggregateError([error, rollbackError], `${(error as Error).message} (and ROLLBACK failed)`);
        }
        throw error;
      } finally {
        // A connection whose ROLLBACK failed, or that was lost, is closed, not handed to the next caller.
        connection.off('error', lost);
        connection.release(broken);
      }
    },
  };
}

async function openPostgres(connectionString: string, poolSize: number, log: Logger | undefined): Promise<Database> {
  await applyMigrations({ kind: 'postgres', connectionString });
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection the server closed (a restart, a failover): the pool drops it and opens a new
  // one for the next query, which reports any lasting problem. Without a listener, it would crash the process.
  pool.on('error', (error) => log?.warn({ err: error }, 'an idle database connection was lost; the pool replaces it'));
  const executor = pgExecutor(pool, pool);
  const listeners = new Set<PgListener>();
  let prisma: PrismaClient | undefined;
  return {
    ...executor,
    async listen(channel, handlers) {
      const listener = new PgListener(connectionString, channel, handlers);
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    migrationState: () => migrationStateOf(executor),
    get prisma() {
      prisma ??= new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 2 }) });
      return prisma;
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await prisma?.$disconnect();
      await pool.end();
    },
  };
}
