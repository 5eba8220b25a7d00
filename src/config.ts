// Configuration is read here, once, from the environment, validated, and passed down as a typed object.
// Nothing else in src/ reads process.env.
import path from 'node:path';

export interface Limits {
  /** Longest consumer id / pool name / label. */
  maxIdLength: number;
  maxLabels: number;
  maxLabelLength: number;
  minCapacity: number;
  maxCapacity: number;
  minLeaseTtlMs: number;
  maxLeaseTtlMs: number;
  maxPageSize: number;
  /** Largest dispatch message: key + value + headers, in bytes. */
  maxMessageBytes: number;
  /** Longest a dispatch may wait for a free consumer. */
  maxWaitMs: number;
  /** Largest HTTP request body. */
  maxBodyBytes: number;
  /** Query shape limits, checked before execution. */
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxTokens: number;
  /** Open graphql-ws subscriptions per connection and per API key (on one replica). */
  maxSubscriptionsPerConnection: number;
  maxSubscriptionsPerKey: number;
  /** Mutations per API key: a token bucket refilled at this rate, holding up to `mutationBurst`. */
  mutationsPerSecond: number;
  mutationBurst: number;
  /** A WebSocket that does not send connection_init in time is closed (4408). */
  connectionInitTimeoutMs: number;
}

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** How long a produce may take, retries included, before dispatch gives up and releases the lease. */
  produceTimeoutMs: number;
}

/** The Kafka intake: producers write plain records to `<topicPrefix>.<pool>.intake`, Handoff makes them jobs. */
export interface IntakeConfig {
  /** HANDOFF_INTAKE=off turns it off (it runs only where Kafka is configured). */
  enabled: boolean;
  /** Partitions of an intake topic Handoff creates (an existing topic keeps its own). */
  partitions: number;
  /** How often the intake looks for new pools (a consumer registering on any replica is seen at once). */
  refreshMs: number;
}

export interface Config {
  host: string;
  port: number;
  /** PostgreSQL when set; otherwise the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  /**
   * The embedded database's buffer cache (PostgreSQL's shared_buffers inside PGlite), in MiB. It
   * lives in the server's own memory, so it is part of the server's RSS; reads past it go to the
   * operating system's file cache.
   */
  pgliteBuffersMb: number;
  heartbeatTtlMs: number;
  defaultLeaseTtlMs: number;
  /** How often this replica looks for expired leases and stale consumers. */
  sweepIntervalMs: number;
  /** How long shutdown waits for in-flight requests before closing connections. */
  shutdownGraceMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** JSON lines (the default when stdout is not a terminal) or pretty, coloured lines. */
  logFormat: 'json' | 'pretty';
  /** Prometheus metrics at /metrics (an ADMIN key is required when auth is on). */
  metrics: boolean;
  /** Set when KAFKA_BROKERS is: dispatch and topic creation turn on. */
  kafka: KafkaConfig | undefined;
  /** Consumer topics are named `<topicPrefix>.<pool>.<consumerId>` unless registered with a topic. */
  topicPrefix: string;
  intake: IntakeConfig;
  /** How long a dispatched job may run before its lease ends (extendLease pushes it back). */
  processingTtlMs: number;
  /** Attempts a job gets before it goes to its pool's dead-letter topic. */
  maxAttempts: number;
  /** How long ended leases (and deregistered consumers) are kept for their history before the sweeper prunes them. */
  historyRetentionMs: number;
  /** Pending backlog jobs a pool may hold; past it submitJobs is BACKLOG_FULL and the Kafka intake pauses. */
  backlogLimit: number;
  /** A pending job waiting this long behind higher priorities is served one level higher (per interval). */
  priorityAgeingMs: number;
  /** A replica not seen for this long is gone: the producers waiting on it are cancelled. */
  replicaSilenceMs: number;
  /** How often each pool's figures are sampled for the dashboard's charts (kept an hour). */
  sampleIntervalMs: number;
  /** The dashboard folds away consumers OFFLINE for longer than this (0: never). */
  offlineFoldMs: number;
  /** API keys required (HANDOFF_AUTH=off turns them off, for local experiments only). */
  auth: boolean;
  /** HANDOFF_ADMIN_TOKEN: an ADMIN token to accept (created as a key if it is not one). */
  adminToken: string | undefined;
  /** Schema introspection and GraphiQL: on, unless NODE_ENV=production (then HANDOFF_INTROSPECTION / HANDOFF_GRAPHIQL=on). */
  introspection: boolean;
  graphiql: boolean;
  limits: Limits;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const defaultLimits: Limits = {
  maxIdLength: 128,
  maxLabels: 32,
  maxLabelLength: 64,
  minCapacity: 1,
  maxCapacity: 1000,
  minLeaseTtlMs: 100,
  maxLeaseTtlMs: 3_600_000,
  maxPageSize: 500,
  maxMessageBytes: 1_000_000,
  maxWaitMs: 300_000,
  maxBodyBytes: 2_000_000,
  maxDepth: 12,
  maxCost: 5_000,
  maxAliases: 20,
  maxTokens: 2_000,
  maxSubscriptionsPerConnection: 1_000,
  maxSubscriptionsPerKey: 10_000,
  mutationsPerSecond: 1_000,
  mutationBurst: 2_000,
  connectionInitTimeoutMs: 3_000,
};

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses the environment into a Config, or throws a ConfigError naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const onOff = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw !== 'on' && raw !== 'off') problems.push(`${name} must be on or off (got "${raw}")`);
    return raw === 'on';
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// URL');
  }

  const logLevel = env.HANDOFF_LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    problems.push(`HANDOFF_LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${logLevel}")`);
  }

  const logFormat = env.HANDOFF_LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
  if (logFormat !== 'json' && logFormat !== 'pretty') problems.push(`HANDOFF_LOG_FORMAT must be json or pretty (got "${logFormat}")`);

  const topicPrefix = env.HANDOFF_TOPIC_PREFIX || 'handoff';
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(topicPrefix)) problems.push('HANDOFF_TOPIC_PREFIX must be 1–100 characters of [A-Za-z0-9._-]');
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((broker) => broker.trim()).filter(Boolean);
  for (const broker of brokers) if (!/^[^:\s]+:\d+$/.test(broker)) problems.push(`KAFKA_BROKERS entries must be host:port (got "${broker}")`);

  const config: Config = {
    host: env.HANDOFF_HOST || '127.0.0.1',
    port: int('PORT', int('HANDOFF_PORT', 4000, 0, 65535), 0, 65535),
    databaseUrl,
    databasePoolSize: int('HANDOFF_DB_POOL_SIZE', 10, 1, 500),
    dataDir: path.resolve(env.HANDOFF_DATA_DIR || '.handoff'),
    pgliteBuffersMb: int('HANDOFF_PGLITE_BUFFERS_MB', 32, 8, 4096),
    heartbeatTtlMs: int('HANDOFF_HEARTBEAT_TTL_MS', 15_000, 1_000, 3_600_000),
    defaultLeaseTtlMs: int('HANDOFF_LEASE_TTL_MS', 30_000, defaultLimits.minLeaseTtlMs, defaultLimits.maxLeaseTtlMs),
    sweepIntervalMs: int('HANDOFF_SWEEP_INTERVAL_MS', 1_000, 50, 60_000),
    shutdownGraceMs: int('HANDOFF_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel: logLevel as Config['logLevel'],
    logFormat: logFormat === 'pretty' ? 'pretty' : 'json',
    metrics: onOff('HANDOFF_METRICS', true),
    kafka:
      brokers.length === 0
        ? undefined
        : {
            brokers,
            clientId: env.KAFKA_CLIENT_ID || 'handoff',
            produceTimeoutMs: int('HANDOFF_PRODUCE_TIMEOUT_MS', 5_000, 100, 120_000),
          },
    topicPrefix,
    intake: {
      enabled: onOff('HANDOFF_INTAKE', true),
      partitions: int('HANDOFF_INTAKE_PARTITIONS', 4, 1, 10_000),
      refreshMs: int('HANDOFF_INTAKE_REFRESH_MS', 10_000, 100, 3_600_000),
    },
    processingTtlMs: int('HANDOFF_PROCESSING_TTL_MS', 300_000, defaultLimits.minLeaseTtlMs, 86_400_000),
    maxAttempts: int('HANDOFF_MAX_ATTEMPTS', 5, 1, 1000),
    historyRetentionMs: int('HANDOFF_HISTORY_RETENTION_MS', 7 * 86_400_000, 1_000, 3_650 * 86_400_000),
    backlogLimit: int('HANDOFF_BACKLOG_LIMIT', 10_000_000, 1, 1_000_000_000),
    priorityAgeingMs: int('HANDOFF_PRIORITY_AGEING_MS', 60_000, 100, 86_400_000),
    replicaSilenceMs: int('HANDOFF_REPLICA_SILENCE_MS', 30_000, 1_000, 3_600_000),
    sampleIntervalMs: int('HANDOFF_SAMPLE_INTERVAL_MS', 10_000, 1_000, 600_000),
    offlineFoldMs: int('HANDOFF_OFFLINE_FOLD_MS', 600_000, 0, 30 * 86_400_000),
    auth: env.HANDOFF_AUTH !== 'off',
    adminToken: env.HANDOFF_ADMIN_TOKEN || undefined,
    introspection: onOff('HANDOFF_INTROSPECTION', env.NODE_ENV !== 'production'),
    graphiql: onOff('HANDOFF_GRAPHIQL', env.NODE_ENV !== 'production'),
    limits: {
      ...defaultLimits,
      maxLabels: int('HANDOFF_MAX_LABELS', defaultLimits.maxLabels, 0, 1000),
      maxCapacity: int('HANDOFF_MAX_CAPACITY', defaultLimits.maxCapacity, 1, 100_000),
      maxPageSize: int('HANDOFF_MAX_PAGE_SIZE', defaultLimits.maxPageSize, 1, 10_000),
      maxMessageBytes: int('HANDOFF_MAX_MESSAGE_BYTES', defaultLimits.maxMessageBytes, 1, 100_000_000),
      maxWaitMs: int('HANDOFF_MAX_WAIT_MS', defaultLimits.maxWaitMs, 0, 3_600_000),
      maxBodyBytes: int('HANDOFF_MAX_BODY_BYTES', defaultLimits.maxBodyBytes, 1_000, 200_000_000),
      maxDepth: int('HANDOFF_MAX_DEPTH', defaultLimits.maxDepth, 2, 100),
      maxCost: int('HANDOFF_MAX_COST', defaultLimits.maxCost, 10, 1_000_000),
      maxAliases: int('HANDOFF_MAX_ALIASES', defaultLimits.maxAliases, 1, 1_000),
      maxTokens: int('HANDOFF_MAX_TOKENS', defaultLimits.maxTokens, 50, 1_000_000),
      maxSubscriptionsPerConnection: int('HANDOFF_MAX_SUBSCRIPTIONS_PER_CONNECTION', defaultLimits.maxSubscriptionsPerConnection, 1, 1_000_000),
      maxSubscriptionsPerKey: int('HANDOFF_MAX_SUBSCRIPTIONS_PER_KEY', defaultLimits.maxSubscriptionsPerKey, 1, 10_000_000),
      mutationsPerSecond: int('HANDOFF_MUTATIONS_PER_SECOND', defaultLimits.mutationsPerSecond, 1, 1_000_000),
      mutationBurst: int('HANDOFF_MUTATION_BURST', defaultLimits.mutationBurst, 1, 10_000_000),
      connectionInitTimeoutMs: int('HANDOFF_CONNECTION_INIT_TIMEOUT_MS', defaultLimits.connectionInitTimeoutMs, 100, 600_000),
    },
    ...overrides,
  };

  if (env.HANDOFF_AUTH !== undefined && !['on', 'off'].includes(env.HANDOFF_AUTH)) problems.push('HANDOFF_AUTH must be on or off');
  if (env.HANDOFF_ADMIN_TOKEN && env.HANDOFF_ADMIN_TOKEN.length < 16) problems.push('HANDOFF_ADMIN_TOKEN must be at least 16 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** What the `handoff` CLI needs to reach a running server: flags win over HANDOFF_URL / HANDOFF_TOKEN. */
export interface CliSettings {
  url: string;
  token: string | undefined;
}

export function loadCliSettings(env: NodeJS.ProcessEnv = process.env, flags: { url?: string | undefined; token?: string | undefined } = {}): CliSettings {
  const url = flags.url ?? (env.HANDOFF_URL || 'http://127.0.0.1:4000/graphql');
  if (!/^https?:\/\//.test(url)) throw new ConfigError([`the server URL must start with http:// or https:// (got "${url}")`]);
  return { url, token: flags.token ?? (env.HANDOFF_TOKEN || undefined) };
}
