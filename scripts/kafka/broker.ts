// A real single-node Apache Kafka broker (KRaft: broker and controller in one process, loopback only),
// assembled from Maven Central jars and started with plain `java -cp`: no Docker needed.
//   tsx scripts/kafka/broker.ts start        → runs in the background, prints KAFKA_BROKERS=127.0.0.1:9092
//   tsx scripts/kafka/broker.ts stop
//   tsx scripts/kafka/broker.ts share-check  → proves share groups work on that broker (Kafka 4.2+)
// HANDOFF_KAFKA_VERSION picks another release (e.g. 3.9.1); the default is defaultKafkaVersion.
// Tests import startKafkaBroker() (see test/support/kafka.ts). Findings: docs/kafka-broker.md.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

/** The release `npm run kafka:start`, the tests, the demo and the benchmarks run unless told otherwise. */
export const defaultKafkaVersion = '4.4.0';

function chosenVersion(): string {
  const version = process.env.HANDOFF_KAFKA_VERSION || defaultKafkaVersion;
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`HANDOFF_KAFKA_VERSION=${version} is not a release number like 3.9.1 or ${defaultKafkaVersion}`);
  return version;
}

/** The release this process runs: HANDOFF_KAFKA_VERSION, or the default. */
export const kafkaVersion = chosenVersion();

/**
 * Kafka 4 moved the broker's logging from reload4j (log4j 1.x) to log4j2; the pom's profile of the
 * same name brings the matching slf4j backend, and the JVM gets that backend's configuration.
 */
const kafkaMajor = Number(kafkaVersion.split('.')[0]);
const logging: 'log4j2' | 'reload4j' = kafkaMajor >= 4 ? 'log4j2' : 'reload4j';

const root = fileURLToPath(new URL('../..', import.meta.url));
const libDir = path.join(root, '.cache', 'kafka', kafkaVersion, 'lib');
const pomPath = path.join(root, 'scripts', 'kafka', 'pom.xml');
const shareCheckSource = path.join(root, 'scripts', 'kafka', 'ShareGroupCheck.java');

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

/**
 * Fetches the broker's jars from Maven Central once; later runs use the cache. Maven copies into a
 * folder of this process's own that is then renamed into place, so a second process (another
 * test run in the same checkout) never starts a broker from a half-copied lib/.
 */
export function fetchKafkaJars(log: (line: string) => void = console.log): string {
  if (jarsCached()) return libDir;
  log(`fetching Apache Kafka ${kafkaVersion} jars from Maven Central into ${path.relative(root, libDir)} …`);
  const staging = `${libDir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    // Maven's output only when it fails: a quiet run still prints colour codes (Debian's Maven 3.8).
    const maven = spawnSync(
      'mvn',
      ['-q', '-B', '-Dstyle.color=never', '-f', pomPath, `-P${logging}`, `-Dkafka.version=${kafkaVersion}`,
        'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
        '-DincludeScope=runtime', `-DoutputDirectory=${staging}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (maven.status !== 0) {
      throw new Error(`Maven could not fetch Apache Kafka ${kafkaVersion} (exit ${maven.status ?? maven.signal}):\n${maven.stdout}${maven.stderr}`, { cause: maven.error });
    }
    if (!jarsCached()) {
      rmSync(libDir, { recursive: true, force: true }); // a copy left half-done by an older version of this script
      renameSync(staging, libDir);
    }
  } finally {
    // Another process may have renamed its copy into place first: theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
  }
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
    ...(kafkaMajor >= 4
      ? [
          // Share groups (KIP-932) keep their state in __share_group_state, which the broker creates at
          // the first share-group use with replication factor 3 by default: on one broker that fails
          // (INVALID_REPLICATION_FACTOR, retried for ever) and share consumers get no records.
          // share.version itself is finalized by `format` (level 1 on 4.2/4.3, 2 on 4.4).
          'share.coordinator.state.topic.replication.factor=1',
          'share.coordinator.state.topic.min.isr=1',
          'share.coordinator.state.topic.num.partitions=1',
        ]
      : []),
    '',
  ].join('\n');
}

/** Kafka 3.x logs through reload4j (log4j 1.x syntax). */
const log4jProperties = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

/** Kafka 4.x logs through log4j2 (its properties syntax; log4j-core reads it without extra jars). */
const log4j2Properties = [
  'status = warn',
  'appender.stdout.type = Console',
  'appender.stdout.name = STDOUT',
  'appender.stdout.layout.type = PatternLayout',
  'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.raftServer.name = kafka.server.KafkaRaftServer',
  'logger.raftServer.level = INFO',
  'logger.brokerServer.name = kafka.server.BrokerServer',
  'logger.brokerServer.level = INFO',
  '',
].join('\n');

/** Writes the logging configuration for this Kafka line into `dir`; returns the JVM flags that load it. */
function jvmLoggingFlags(dir: string): string[] {
  if (logging === 'log4j2') {
    const file = path.join(dir, 'log4j2.properties');
    writeFileSync(file, log4j2Properties);
    return [`-Dlog4j2.configurationFile=${file}`, `-Dkafka.logs.dir=${dir}`];
  }
  const file = path.join(dir, 'log4j.properties');
  writeFileSync(file, log4jProperties);
  return [`-Dlog4j.configuration=file:${file}`, `-Dkafka.logs.dir=${dir}`];
}

/** Resident memory of a process in MB (Linux /proc), or undefined where that cannot be read. */
export function residentMb(pid: number): number | undefined {
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
}

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
  const classpath = `${lib}/*`;
  const jvmLogging = jvmLoggingFlags(dataDir);

  const formatting = Date.now();
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
  // No retries inside kafkajs: its backoff would add up to seconds to a start it only has to notice.
  const admin = new Kafka({ clientId: 'handoff-broker-check', brokers: [brokers], logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } }).admin();
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
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  const rss = residentMb(pid);
  log(
    `Kafka ${kafkaVersion} ready at ${brokers} in ${seconds(Date.now() - started)} s` +
      ` (storage format ${seconds(started - formatting)} s before; pid ${pid}${rss === undefined ? '' : `, ${rss} MB resident`})`,
  );
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

/**
 * Runs scripts/kafka/ShareGroupCheck.java against `brokers` with this release's client jars: two
 * KafkaShareConsumers of one share group must receive every record of a fresh topic. Throws when
 * they do not (or when this release has no share groups: they are GA from Kafka 4.2).
 */
export function checkShareGroups(brokers: string, log: (line: string) => void = console.log): void {
  const [major = 0, minor = 0] = kafkaVersion.split('.').map(Number);
  if (major < 4 || (major === 4 && minor < 2)) throw new Error(`share groups need Kafka 4.2 or newer; this is ${kafkaVersion}`);
  const lib = fetchKafkaJars(log);
  const dir = path.join(root, '.cache', 'kafka', kafkaVersion);
  // The Java client logs through the same log4j2 backend: warnings and errors only.
  const flags = jvmLoggingFlags(dir).filter((flag) => flag.startsWith('-Dlog4j2.'));
  const check = spawnSync('java', ['-Xmx256m', ...flags, '-cp', `${lib}/*`, shareCheckSource, brokers], { encoding: 'utf8', timeout: 120_000 });
  const output = `${check.stdout}${check.stderr}`.trim();
  if (check.status !== 0) throw new Error(`share-group check against ${brokers} failed (exit ${check.status ?? check.signal}):\n${output}`);
  log(output);
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
  } else if (command === 'share-check') {
    try {
      checkShareGroups(process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`);
    } catch (error) {
      // The message says what failed; a stack trace of this script adds nothing.
      console.error((error as Error).message);
      process.exit(1);
    }
  } else {
    console.error('usage: tsx scripts/kafka/broker.ts start | stop | share-check');
    process.exit(2);
  }
}
