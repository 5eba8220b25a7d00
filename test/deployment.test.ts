// docker-compose.yml stays in step with the project: the same Kafka as scripts/kafka, two replicas on
// one PostgreSQL and one Kafka, behind one port. (`docker compose config` validates its syntax where
// Docker Compose is installed; docs/deployment.md.)
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GraphQLClient } from '../src/client/graphqlClient.js';
import { ClaimFreeConsumer, CompleteLease, RegisterConsumer } from '../src/client/operations.js';
import { defaultKafkaVersion } from '../scripts/kafka/broker.js';
import { buildServer, startServerProcess } from '../scripts/serverProcess.js';
import { adminEnv, adminHeaders, unique } from './support/harness.js';

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string | number>;
  ports?: string[];
}

const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('runs the Kafka version the project tests against by default, in KRaft mode', () => {
    const kafka = compose.services.kafka!;
    // The default, not HANDOFF_KAFKA_VERSION: a run against another release does not change the file.
    expect(kafka.image).toBe(`apache/kafka:${defaultKafkaVersion}`);
    expect(kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('lets share groups work on its one broker: their state topic with one replica', () => {
    const environment = compose.services.kafka!.environment;
    expect(environment?.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(environment?.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR).toBe(1);
  });

  it('runs two Handoff replicas on one PostgreSQL and one Kafka, behind one port', () => {
    const replicas = Object.entries(compose.services).filter(([, service]) => service.build === '.');
    expect(replicas.map(([name]) => name)).toEqual(['handoff-1', 'handoff-2']);
    for (const [, replica] of replicas) {
      expect(replica.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/.*@postgres:5432\//);
      expect(replica.environment?.KAFKA_BROKERS).toBe('kafka:9092');
      expect(replica.ports).toBeUndefined();
    }
    expect(compose.services.gateway?.ports).toEqual(['4000:4000']);
  });
});

describe('the Docker image', () => {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

  it('builds the server and runs it compiled, with plain node', () => {
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });

  it('its command serves: the compiled server (npm run build, run by plain node) claims and completes on the embedded database, and serves the dashboard', async () => {
    await buildServer();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-compiled-'));
    const server = await startServerProcess({ databaseUrl: undefined, dataDir }, adminEnv, { compiled: true });
    const client = new GraphQLClient({ url: server.url, headers: adminHeaders });
    try {
      const pool = unique('d');
      await client.request(RegisterConsumer, { input: { id: `${pool}-c`, pool } });
      const { claimFreeConsumer } = await client.request(ClaimFreeConsumer, { pool });
      const { completeLease } = await client.request(CompleteLease, { id: claimFreeConsumer.id });
      expect(completeLease).toMatchObject({ state: 'COMPLETED', consumer: { id: `${pool}-c`, inFlight: 0 } });
      // The dashboard's static files were copied beside the compiled code.
      const page = await fetch(new URL('/', server.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      await client.close();
      expect(await server.stop()).toBe(0);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
