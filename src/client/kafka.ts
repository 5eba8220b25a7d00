import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

/** Kafka connection settings for the SDK: brokers, or a kafkajs instance you already have. */
export type KafkaConnection = { brokers: string[]; clientId?: string } | Kafka;

export function kafkaFrom(connection: KafkaConnection, clientId: string): Kafka {
  if (connection instanceof Kafka) return connection;
  const config: KafkaConfig = { clientId: connection.clientId ?? clientId, brokers: connection.brokers, logLevel: logLevel.WARN };
  return new Kafka(config);
}
