// The Kafka intake from the producer's side: a plain kafkajs producer writes records to the pool's
// intake topic (`<prefix>.<pool>.intake`) and Handoff makes them jobs. Measured only once the server
// reads the topic, so the intake consumer's group join is not counted as the jobs' time.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { AssignerProtocol, type Kafka, type Producer } from 'kafkajs';
import { GraphQLClient, HandoffError } from '../../src/client/graphqlClient.js';
import type { BenchServer } from './infra.js';
import { sleep } from './stats.js';

// Written here rather than taken from the SDK's operations: the benchmark asks the server it runs,
// and a server without the intake answers this with a validation error, which the row then reports.
const IntakeTopic = parse('query IntakeTopic($pool: String!) { stats(pool: $pool) { intakeTopic } }') as TypedDocumentNode<
  { stats: { intakeTopic: string | null } },
  { pool: string }
>;

export type IntakeReadiness = { topic: string; partitions: number } | { notAvailable: string };

/**
 * The pool's intake topic once the server's intake consumer holds every partition of it (its group
 * stable), or why there is no intake to measure: the server has none, or it is off.
 */
export async function intakeReady(server: BenchServer, kafka: Kafka, pool: string, timeoutMs = 90_000): Promise<IntakeReadiness> {
  const client = new GraphQLClient({ url: server.url, headers: server.headers });
  const deadline = Date.now() + timeoutMs;
  let topic: string | null = null;
  try {
    topic = (await client.request(IntakeTopic, { pool })).stats.intakeTopic;
  } catch (error) {
    if (error instanceof HandoffError) return { notAvailable: `this server has no Kafka intake (stats.intakeTopic: ${error.code} ${error.message})` };
    throw error;
  } finally {
    await client.close();
  }
  if (topic === null) return { notAvailable: 'the server reports no intake topic for the pool (HANDOFF_INTAKE off, or no Kafka)' };
  // `<prefix>.<pool>.intake` is read by the group `<prefix>.intake` (src/server/index.ts).
  const groupId = `${topic.slice(0, topic.length - `.${pool.replaceAll(':', '_')}.intake`.length)}.intake`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (;;) {
      const partitions = await admin
        .fetchTopicMetadata({ topics: [topic] })
        .then((metadata) => metadata.topics[0]?.partitions.length ?? 0)
        .catch(() => 0); // not created yet: the intake creates it when it sees the pool
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      const held = new Set<number>();
      if (group?.state === 'Stable') {
        for (const member of group.members) {
          const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          for (const partition of assignment?.assignment[topic] ?? []) held.add(partition);
        }
      }
      if (partitions > 0 && held.size === partitions) return { topic, partitions };
      if (Date.now() > deadline) {
        return { notAvailable: `the intake did not read ${topic} within ${timeoutMs / 1000} s (group ${groupId}: ${group?.state ?? 'absent'}, ${held.size}/${partitions} partitions held)` };
      }
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces `values` to the intake topic, `chunk` records a request and `parallel` requests at a time:
 * a broker takes at most 1 MiB per record batch by default, so 100,000 records go in pieces.
 */
export async function produceToIntake(producer: Producer, topic: string, values: readonly string[], options: { chunk?: number; parallel?: number } = {}): Promise<void> {
  const chunk = options.chunk ?? 1_000;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.parallel ?? 4 }, async () => {
      while (next < values.length) {
        const first = next;
        next += chunk;
        await producer.send({ topic, messages: values.slice(first, first + chunk).map((value) => ({ key: value, value })) });
      }
    }),
  );
}
