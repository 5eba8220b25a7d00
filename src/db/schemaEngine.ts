// Prisma's schema engine, compiled to WebAssembly, for the two development tasks that need it:
// writing a new migration and checking that the committed migrations match prisma/schema.prisma.
// Prisma's CLI would download a native engine for this, which cannot be reached offline.
// (Applying migrations needs no engine: see migrate.ts.) This is the one module that knows the wasm glue.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

type Glue = typeof glue;
export type SchemaEngine = Awaited<ReturnType<Glue['SchemaEngine']['new']>>;

let loaded: Promise<Glue> | undefined;

/** Instantiates the engine's wasm once per process (Node 20 cannot import a .wasm module directly). */
function loadGlue(): Promise<Glue> {
  loaded ??= (async () => {
    // The build that matches the installed Prisma CLI ships inside the `prisma` package, without its JS glue;
    // the published glue of @prisma/schema-engine-wasm has the same imports.
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve('prisma/config')), 'build', 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { './schema_engine_bg.js': glue });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    glue.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return glue;
  })();
  return loaded;
}

/**
 * Runs `task` with an engine bound to a fresh in-memory PGlite, which also serves as its shadow
 * database; everything is closed afterwards.
 */
export async function withSchemaEngine<T>(schema: { path: string; content: string }, task: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadGlue();
  const pglite = new PGlite();
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite));
  const engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, factory);
  try {
    return await task(engine);
  } finally {
    engine.free();
    await pglite.close();
  }
}
