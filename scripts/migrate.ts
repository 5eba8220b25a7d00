// `npm run db:migrate` applies pending migrations to the configured database (DATABASE_URL, else the
// PGlite in HANDOFF_DATA_DIR, as the server opens it); `npm run db:migrate:new <name>` writes the
// migration for a change to prisma/schema.prisma. Both work offline (see docs/prisma-offline.md).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '../src/config.js';
import { applyMigrations, createMigration } from '../src/db/migrate.js';

async function deploy(): Promise<void> {
  // The server's own settings, so this migrates exactly the database `npm start` would open.
  const config = loadConfig();
  if (config.databaseUrl) {
    const { applied } = await applyMigrations({ kind: 'postgres', connectionString: config.databaseUrl });
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'no pending migration');
    return;
  }
  const dataDir = path.join(config.dataDir, 'pglite');
  await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir);
  try {
    const { applied } = await applyMigrations({ kind: 'pglite', pglite });
    console.log(applied.length ? `applied ${applied.join(', ')} to ${dataDir}` : `no pending migration in ${dataDir}`);
  } finally {
    await pglite.close();
  }
}

async function create(name: string): Promise<void> {
  const dir = await createMigration(name);
  console.log(dir ? `wrote ${path.relative(process.cwd(), dir)}/migration.sql` : 'prisma/schema.prisma matches the migrations: nothing to write');
}

const [command, name, ...rest] = process.argv.slice(2);
if (command === 'deploy' && name === undefined) {
  await deploy();
} else if (command === 'new' && name !== undefined && rest.length === 0) {
  await create(name);
} else {
  console.error('usage: tsx scripts/migrate.ts deploy | new <name_in_snake_case>');
  process.exitCode = 2;
}
