// Compares the committed migrations with prisma/schema.prisma, on Prisma's WebAssembly schema engine:
// the script is the next migration's SQL; exitCode 0 means they match.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMigrationsDir, readMigrations } from './migrate.js';
import { withSchemaEngine } from './schemaEngine.js';

export const schemaPath = fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url));

const noFilters = { externalTables: [], externalEnums: [] };

export async function diffMigrationsAgainstSchema(migrationsDir = defaultMigrationsDir): Promise<{ exitCode: number; script: string }> {
  const content = await readFile(schemaPath, 'utf8');
  const schema = { path: schemaPath, content };
  const migrations = await readMigrations(migrationsDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return withSchemaEngine(schema, async (engine) => {
    const from =
      migrations.length === 0
        ? ({ tag: 'empty' } as const)
        : ({
            tag: 'migrations',
            baseDir: migrationsDir,
            lockfile: { path: path.join(migrationsDir, 'migration_lock.toml'), content: 'provider = "postgresql"\n' },
            shadowDbInitScript: '',
            migrationDirectories: migrations.map((migration) => ({
              path: migration.name,
              migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: migration.sql } as const },
            })),
          } as const);
    const result = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true,
      filters: noFilters,
    });
    return { exitCode: result.exitCode, script: result.stdout ?? '' };
  });
}
