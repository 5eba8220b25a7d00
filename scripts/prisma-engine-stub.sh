#!/bin/sh
echo "Handoff runs migrations on Prisma's WebAssembly schema engine: use 'npm run db:migrate' or 'npm run db:migrate:new <name>'." >&2
exit 1
