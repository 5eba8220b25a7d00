import { Kafka, type KafkaConfig, logLevel, type logCreator } from 'kafkajs';
import { boundedRetriesWarning } from '../protocol/producing.js';

/** Kafka connection settings for the SDK: brokers, or a kafkajs instance you already have. */
export type KafkaConnection = { brokers: string[]; clientId?: string } | Kafka;

/**
 * kafkajs's own console output (one JSON line per entry), less its warning about the bounded retries
 * of HandoffProducer's idempotent producer, which does not apply to it (src/protocol/producing.ts).
 */
const consoleLog: logCreator = () => ({ namespace, level, label, log }) => {
  if (log.message === boundedRetriesWarning) return;
  const line = JSON.stringify({ level: label, ...log, message: `${namespace ? `[${namespace}] ` : ''}${log.message}` });
  if (level === logLevel.ERROR) console.error(line);
  else if (level === logLevel.WARN) console.warn(line);
  else if (level === logLevel.INFO) console.info(line);
  else console.log(line);
};

export function kafkaFrom(connection: KafkaConnection, clientId: string): Kafka {
  if (connection instanceof Kafka) return connection;
  const config: KafkaConfig = { clientId: connection.clientId ?? clientId, brokers: connection.brokers, logLevel: logLevel.WARN, logCreator: consoleLog };
  return new Kafka(config);
}
