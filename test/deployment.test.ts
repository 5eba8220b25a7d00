// docker-compose.yml stays in step with the project: the same Kafka as scripts/kafka, two replicas on
// one PostgreSQL and one Kafka, behind one port. (`docker compose config` validates its syntax where
// Docker Compose is installed; docs/deployment.md.)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { defaultKafkaVersion } from '../scripts/kafka/broker.js';

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
