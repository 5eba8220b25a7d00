import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's CLI wants a native schema engine, which it downloads; this project never needs it
// (generate needs none, migrations run on the WebAssembly engine in scripts/migrate.ts). Point the
// CLI at a stub that refuses loudly, so `prisma migrate deploy` cannot report a false success.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('scripts/prisma-engine-stub.sh');

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
