// `prisma generate` offline: it needs no engine, only checks that one exists (prisma.config.ts points at a stub).
import { spawnSync } from 'node:child_process';

const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
