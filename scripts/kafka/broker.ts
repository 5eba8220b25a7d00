// A real single-node Apache Kafka broker (KRaft: broker and controller in one process, loopback only),
// assembled from Maven Central jars and started with plain `java -cp`: no Docker needed.
//   tsx scripts/kafka/broker.ts start   → runs in the background, prints KAFKA_BROKERS=127.0.0.1:9092
//   tsx scripts/kafka/broker.ts stop
// Tests import startKafkaBroker() (see test/support/kafka.ts). Findings: docs/kafka-broker.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

export const kafkaVersion = '3.9.1';

const root = fileURLToPath(new URL('../..', import.meta.url));
const libDir = path.join(root, '.cache', 'kafka', kafkaVersion, 'lib');
const pomPath = path.join(root, 'scripts', 'kafka', 'pom.xml');

export interface KafkaBroker {
  /** host:port for KAFKA_BROKERS */
  brokers: string;
  pid: number;
  dataDir: string;
  /** SIGTERM (the broker's own shutdown), SIGKILL after 30 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  port?: number;
  controllerPort?: number;
  /** Delete the data directory on stop (tests); the CLI keeps it. */
  removeOnStop?: boolean;
  log?: (line: string) => void;
}

const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Java is needed to run the broker; Maven only when the jars are not cached yet. */
export function kafkaToolsAvailable(): boolean {
  return onPath('java') && (jarsCached() || onPath('mvn'));
}

const jarsCached = () => existsSync(libDir) && readdirSync(libDir).some((name) => name.startsWith('kafka_2.13-'));

/** Fetches the broker's jars from Maven Central once; later runs use the cache. */
export function fetchKafkaJars(log: (line: string) => void = console.log): string {
  if (jarsCached()) return libDir;
  log(`fetching Apache Kafka ${kafkaVersion} jars from Maven Central into ${path.relative(root, libDir)} …`);
  execFileSync(
    'mvn',
    ['-q', '-B', '-f', pomPath, 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      '-DincludeScope=runtime', `-DoutputDirectory=${libDir}`],
    { stdio: 'inherit' },
  );
  return libDir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    // The default allocates 128 MB up front for a cleaner this broker barely uses.
    'log.cleaner.dedupe.buffer.size=8388608',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

const log4jProperties = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(no log)');

/** Formats storage (once), starts the broker in the background and waits until it answers a metadata request. */
export async function startKafkaBroker(options: StartOptions): Promise<KafkaBroker> {
  const log = options.log ?? console.log;
  const lib = fetchKafkaJars(log);
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const propertiesFile = path.join(dataDir, 'server.properties');
  const logFile = path.join(dataDir, 'broker.log');
  writeFileSync(propertiesFile, serverProperties(dataDir, port, controllerPort));
  writeFileSync(path.join(dataDir, 'log4j.properties'), log4jProperties);
  const classpath = `${lib}/*`;
  const jvmLogging = [`-Dlog4j.configuration=file:${path.join(dataDir, 'log4j.properties')}`, `-Dkafka.logs.dir=${dataDir}`];

  execFileSync(
    'java',
    [...jvmLogging, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', 'aGFuZG9mZi1sb2NhbC1rYQ', '-c', propertiesFile, '--ignore-formatted'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );

  const out = openSync(logFile, 'a');
  const child = spawn(
    'java',
    ['-Xms256m', '-Xmx512m', '-XX:+UseG1GC', '-XX:TieredStopAtLevel=1', ...jvmLogging, `-Djava.io.tmpdir=${dataDir}`, '-cp', classpath, 'kafka.Kafka', propertiesFile],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start java');
  writeFileSync(path.join(dataDir, 'broker.pid'), String(pid));
  let exited = false;
  child.once('exit', () => (exited = true));

  const brokers = `127.0.0.1:${port}`;
  const broker: KafkaBroker = {
    brokers,
    pid,
    dataDir,
    async stop() {
      await stopProcess(pid);
      if (options.removeOnStop) rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const started = Date.now();
  const admin = new Kafka({ clientId: 'handoff-broker-check', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  for (;;) {
    if (exited) throw new Error(`Kafka broker exited during start. Log:\n${tail(logFile)}`);
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      break;
    } catch (error) {
      if (Date.now() - started > 90_000) {
        await broker.stop();
        throw new Error(`Kafka broker did not answer within 90 s (${(error as Error).message}). Log:\n${tail(logFile)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  log(`Kafka ${kafkaVersion} ready at ${brokers} in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
  return broker;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: it is gone, which is what we wait for
  }
};

async function stopProcess(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stops the broker whose PID file is in `dataDir` (the CLI's `stop`). */
export async function stopKafkaBroker(dataDir: string): Promise<boolean> {
  const pidFile = path.join(dataDir, 'broker.pid');
  if (!existsSync(pidFile)) return false;
  await stopProcess(Number(readFileSync(pidFile, 'utf8')));
  rmSync(pidFile);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dataDir = path.resolve(process.env.HANDOFF_KAFKA_DIR ?? '.handoff/kafka');
  const command = process.argv[2];
  if (command === 'start') {
    await stopKafkaBroker(dataDir);
    const port = Number(process.env.KAFKA_PORT ?? 9092);
    const broker = await startKafkaBroker({ dataDir, port, controllerPort: port + 1 });
    console.log(`KAFKA_BROKERS=${broker.brokers}`);
  } else if (command === 'stop') {
    console.log((await stopKafkaBroker(dataDir)) ? 'Kafka stopped' : 'no Kafka broker running from this folder');
  } else {
    console.error('usage: tsx scripts/kafka/broker.ts start | stop');
    process.exit(2);
  }
}
