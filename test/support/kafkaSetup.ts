// vitest globalSetup: a real Kafka broker for the Kafka tests. KAFKA_BROKERS when set; otherwise the
// project's own broker (scripts/kafka), started here when Java is present. Without Java the Kafka
// tests are skipped with one line saying how to run them — unless HANDOFF_REQUIRE_KAFKA=1 or CI=true,
// where a broker that cannot start fails the run.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import { type KafkaBroker, kafkaToolsAvailable, startKafkaBroker } from '../../scripts/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

let broker: KafkaBroker | undefined;

export async function setup(project: TestProject): Promise<void> {
  const required = process.env.HANDOFF_REQUIRE_KAFKA === '1' || process.env.CI === 'true';
  if (process.env.KAFKA_BROKERS) {
    await checkBrokers(process.env.KAFKA_BROKERS);
    project.provide('kafkaBrokers', process.env.KAFKA_BROKERS);
    return;
  }
  if (!kafkaToolsAvailable()) {
    if (required) throw new Error('HANDOFF_REQUIRE_KAFKA=1 but neither KAFKA_BROKERS nor Java (and Maven) are available');
    console.warn('Kafka tests skipped: no Java here. Install Java 17 and Maven, or set KAFKA_BROKERS=host:port, to run them.');
    project.provide('kafkaBrokers', '');
    return;
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'handoff-kafka-'));
  broker = await startKafkaBroker({ dataDir, removeOnStop: true, log: (line) => console.log(line) });
  project.provide('kafkaBrokers', broker.brokers);
}

/** Fails the run at once when KAFKA_BROKERS names brokers that do not answer. */
async function checkBrokers(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'handoff-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(`KAFKA_BROKERS=${brokers} does not answer: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.disconnect();
  }
}

export async function teardown(): Promise<void> {
  await broker?.stop();
}
