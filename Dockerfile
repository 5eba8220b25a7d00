# Handoff server image: the TypeScript sources run with tsx, as `npm start` runs them.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.json schema.graphql ./
COPY src ./src
ENV HANDOFF_HOST=0.0.0.0 PORT=4000 NODE_ENV=production
EXPOSE 4000
CMD ["npx", "--no-install", "tsx", "src/main.ts"]
