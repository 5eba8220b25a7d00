// Prisma's schema engine, compiled to WebAssembly, for the development tasks that need it: writing a
// new migration and checking that the committed migrations match prisma/schema.prisma. Prisma's CLI
// would download a native engine for these, which cannot be reached offline. (Applying migrations
// needs no engine: see migrate.ts.) This is the one module that knows the wasm glue; migrate.ts
// imports it lazily, so the server never loads it (@prisma/schema-engine-wasm is a devDependency).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  bindMigrationAwareSqlAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Migration } from './migrationFiles.js';

type Glue = typeof glue;
export type SchemaEngine = Awaited<ReturnType<Glue['SchemaEngine']['new']>>;

/** Engines in use; the engine's timers may keep the process alive only while this is above 0. */
let enginesInUse = 0;
const engineTimers = new Set<NodeJS.Timeout>();

/**
 * The glue's setTimeout, tracked: the engine starts timers (a 10 s one among them) that it never
 * clears, which would hold the process open that long after the work is done.
 */
function engineSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    engineTimers.delete(timer);
    callback();
  }, ms);
  engineTimers.add(timer);
  if (enginesInUse === 0) timer.unref();
  return timer;
}

let loaded: Promise<Glue> | undefined;

/** Instantiates the engine's wasm once per process (Node 20 cannot import a .wasm module directly). */
function loadGlue(): Promise<Glue> {
  loaded ??= (async () => {
    // The build that matches the installed Prisma CLI ships inside the `prisma` package, without its JS
    // glue; the published glue of @prisma/schema-engine-wasm (pinned exactly) has the same imports. The
    // drift test fails if they stop agreeing.
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('prisma/config')), 'build', 'schema_engine_bg.wasm');
    const imports: Record<string, unknown> = { ...glue };
    const setTimeoutImports = Object.keys(imports).filter((name) => name.startsWith('__wbg_setTimeout_'));
    if (setTimeoutImports.length === 0) throw new Error('the @prisma/schema-engine-wasm glue has no setTimeout import: check its pinned version');
    for (const name of setTimeoutImports) imports[name] = engineSetTimeout;
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': imports as WebAssembly.ModuleImports });
    // wasm-bindgen's contract: the glue gets the instance's exports, then the start function runs.
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    glue.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return glue;
  })();
  return loaded;
}

/** Migrations as the engine takes them (it reads no files itself). */
export function migrationList(baseDir: string, migrations: Migration[]): glue.MigrationList {
  return {
    baseDir,
    // The engine only checks the provider named here; applyMigrations checks the file itself.
    lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((migration) => ({
      path: migration.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: migration.sql } },
    })),
  };
}

/** The fields of PGlite's DatabaseError that the engine reports. */
interface PgliteDatabaseError extends Error {
  code?: string;
  severity?: string;
  detail?: string;
  column?: string;
  hint?: string;
}

/**
 * pglite-prisma-adapter's connection, except that a script is awaited: the adapter does not await
 * it, so a failing migration would count as applied and its error surface as an unhandled rejection.
 */
function awaitingScripts(adapter: SqlDriverAdapter, pglite: PGlite): SqlDriverAdapter {
  const { getConnectionInfo } = adapter;
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    queryRaw: (query) => adapter.queryRaw(query),
    executeRaw: (query) => adapter.executeRaw(query),
    startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
    ...(getConnectionInfo && { getConnectionInfo: () => getConnectionInfo.call(adapter) }),
    dispose: () => adapter.dispose(),
    async executeScript(script) {
      try {
        await pglite.exec(script);
      } catch (error) {
        const e = error as PgliteDatabaseError;
        // A PostgreSQL error goes to the engine as one, so its message is in the engine's error;
        // anything else goes through as is (the engine reports it as a JavaScript error).
        if (typeof e.code !== 'string') throw error;
        throw new DriverAdapterError({
          kind: 'postgres',
          code: e.code,
          severity: e.severity ?? 'ERROR',
          message: e.message,
          detail: e.detail,
          column: e.column,
          hint: e.hint,
        });
      }
    },
  };
}

/**
 * Adapter factory over PGlite. The shadow database is a fresh in-memory PGlite of ours, created when
 * the engine asks for it and closed by us (the adapter would leave its own open). A new PGlite takes
 * seconds to start, so when the database is scratch too, it also serves as the shadow.
 */
class PgliteFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = 'handoff-pglite-migrations';
  private scratch: Promise<PGlite> | undefined;

  constructor(private readonly database: PGlite | undefined) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.adapterFor(this.database ?? (await this.scratchDatabase()));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.adapterFor(await this.scratchDatabase());
  }

  async close(): Promise<void> {
    const scratch = this.scratch;
    this.scratch = undefined;
    if (scratch) await (await scratch).close();
  }

  private scratchDatabase(): Promise<PGlite> {
    this.scratch ??= PGlite.create();
    return this.scratch;
  }

  private async adapterFor(pglite: PGlite): Promise<SqlDriverAdapter> {
    return awaitingScripts(await new PrismaPGlite(pglite).connect(), pglite);
  }
}

export interface SchemaEngineOptions {
  schema: { path: string; content: string };
  /** The database the engine works on (left open); a fresh in-memory PGlite when absent. */
  database?: PGlite;
}

/**
 * Runs `task` with an engine bound to `database` (or a fresh in-memory PGlite) and a fresh in-memory
 * PGlite as its shadow database. Afterwards the engine is freed, what it opened is closed, and its
 * timers no longer hold the process.
 */
export async function withSchemaEngine<T>(options: SchemaEngineOptions, task: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadGlue();
  const factory = new PgliteFactory(options.database);
  enginesInUse += 1;
  try {
    const engine = await SchemaEngine.new(
      { datamodels: [[options.schema.path, options.schema.content]] },
      () => {}, // the engine's tracing: its results and errors are what we use
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    try {
      return await task(engine);
    } finally {
      engine.free();
    }
  } finally {
    enginesInUse -= 1;
    if (enginesInUse === 0) for (const timer of engineTimers) timer.unref();
    await factory.close();
  }
}
