// The two backends behind one Prisma client: PostgreSQL (production, several replicas) and PGlite
// (embedded default, in process, persisted to a data directory). Both speak the same SQL, and both
// deliver NOTIFY after commit, which is how changes are announced to every replica.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import type { Config } from '../config.js';
import { PrismaClient } from './generated/client.js';
import { applyMigrations, pgliteDir, readMigrations } from './migrate.js';

export type { PrismaClient };

export type Unlisten = () => Promise<void>;

export interface ListenHandlers {
  payload: (payload: string) => void;
  /** The listening connection was lost and is back; notifications in between may be lost. */
  reconnected?: () => void;
  error?: (error: Error) => void;
}

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  readonly prisma: PrismaClient;
  /** Receives every NOTIFY on the channel, sent by this replica or any other. */
  listen(channel: string, handlers: ListenHandlers): Promise<Unlisten>;
  /** Whether the database answers, and whether every migration this code ships is applied to it. */
  migrationState(): Promise<MigrationState>;
  close(): Promise<void>;
}

export type MigrationState = 'applied' | 'pending' | 'unreachable';

/** The migrations this code ships, read from disk on the first readiness check, once. */
let shipped: Promise<string[]> | undefined;

/** One query: the migrations recorded as finished, against those this code ships. */
async function migrationStateOf(prisma: PrismaClient): Promise<MigrationState> {
  let applied: { name: string }[];
  try {
    applied = await prisma.$queryRaw<{ name: string }[]>`
      SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
  } catch (error) {
    if (isDatabaseUnavailable(error)) return 'unreachable';
    throw error;
  }
  const names = new Set(applied.map((row) => row.name));
  shipped ??= readMigrations().then((migrations) => migrations.map((migration) => migration.name));
  return (await shipped).every((name) => names.has(name)) ? 'applied' : 'pending';
}

/** Opens the configured database and applies pending migrations. */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'>): Promise<Database> {
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, config.databasePoolSize)
    : openPglite(pgliteDir(config.dataDir));
}

async function openPglite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  await applyMigrations({ kind: 'pglite', pglite });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    async listen(channel, handlers) {
      return pglite.listen(channel, handlers.payload);
    },
    migrationState: () => migrationStateOf(prisma),
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

async function openPostgres(connectionString: string, poolSize: number): Promise<Database> {
  await applyMigrations({ kind: 'postgres', connectionString });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }) });
  const listeners = new Set<PgListener>();
  return {
    kind: 'postgres',
    prisma,
    async listen(channel, handlers) {
      const listener = new PgListener(connectionString, channel, handlers);
      await listener.start();
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    migrationState: () => migrationStateOf(prisma),
    async close() {
      await Promise.all([...listeners].map((listener) => listener.stop()));
      listeners.clear();
      await prisma.$disconnect();
    },
  };
}

/**
 * LISTEN needs a connection of its own, held for the life of the process (a pooled one would be
 * handed back and lose it). When it drops, it reconnects with backoff and says so, because
 * notifications sent in between are gone and listeners must re-read what they care about.
 */
class PgListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly handlers: ListenHandlers,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.handlers.payload(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.client = client;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.handlers.error?.(error);
    client.end().catch((endError: unknown) => this.handlers.error?.(endError as Error));
    this.reconnect(100);
  }

  private reconnect(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.start().then(
        () => this.handlers.reconnected?.(),
        (error: unknown) => {
          this.handlers.error?.(error as Error);
          this.reconnect(Math.min(delayMs * 2, 5_000));
        },
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }
}

/** Prisma's codes for a database it cannot reach or lost. */
const unreachableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Driver adapter error kinds that mean the same. */
const unreachableKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * True when an error says the database is down or the connection to it was lost (not that a
 * statement was wrong): a restart, a failover, a network cut. Callers retry such errors later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const { code, meta } = current as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string } } } };
    if (typeof code === 'string' && unreachableCodes.has(code)) return true;
    const cause = meta?.driverAdapterError?.cause;
    if (cause?.kind && unreachableKinds.has(cause.kind)) return true;
    // 57P01–57P03: the server is shutting down or starting; class 08: connection exceptions.
    const sqlState = cause?.originalCode ?? (typeof code === 'string' ? code : undefined);
    if (sqlState && /^(57P0[123]|08\w{3})$/.test(sqlState)) return true;
    if (/ECONNREFUSED|ECONNRESET|Connection terminated|Can't reach database server|the database system is (shutting down|starting up)/i.test(current.message)) {
      return true;
    }
  }
  return false;
}
