// `npm run db:migrate` applies pending migrations to the configured database (DATABASE_URL, else the
// PGlite in HANDOFF_DATA_DIR, as the server opens it); `npm run db:migrate:new <name>` writes the
// migration for a change to prisma/schema.prisma. Both work offline (see docs/prisma-offline.md).
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createMigration, migrateConfiguredDatabase } from '../src/db/migrate.js';

async function create(name: string): Promise<void> {
  const dir = await createMigration(name);
  console.log(dir ? `wrote ${path.relative(process.cwd(), dir)}/migration.sql` : 'prisma/schema.prisma matches the migrations: nothing to write');
}

const [command, name, ...rest] = process.argv.slice(2);
if (command === 'deploy' && name === undefined) {
  // The server's own settings, so this migrates exactly the database `npm start` would open.
  console.log(await migrateConfiguredDatabase(loadConfig()));
} else if (command === 'new' && name !== undefined && rest.length === 0) {
  await create(name);
} else {
  console.error('usage: tsx scripts/migrate.ts deploy | new <name_in_snake_case>');
  process.exitCode = 2;
}
