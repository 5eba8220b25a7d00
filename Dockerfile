# Handoff server image: the TypeScript sources compiled (`npm run build`) and run by plain node. tsx,
# which `npm start` uses, costs the process about 110 MiB of memory for its loader and the sources it
# transpiled at start; a deployed server has no use for either.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY src ./src
RUN npm run build
ENV HANDOFF_HOST=0.0.0.0 PORT=4000 NODE_ENV=production
EXPOSE 4000
CMD ["node", "dist/main.js"]
