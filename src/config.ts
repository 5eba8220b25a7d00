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
}

export interface Config {
  host: string;
  port: number;
  /** PostgreSQL when set; otherwise the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  heartbeatTtlMs: number;
  defaultLeaseTtlMs: number;
  /** How often this replica looks for expired leases and stale consumers. */
  sweepIntervalMs: number;
  /** How long shutdown waits for in-flight requests before closing connections. */
  shutdownGraceMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
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

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// URL');
  }

  const logLevel = env.HANDOFF_LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    problems.push(`HANDOFF_LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${logLevel}")`);
  }

  const config: Config = {
    host: env.HANDOFF_HOST || '127.0.0.1',
    port: int('PORT', int('HANDOFF_PORT', 4000, 0, 65535), 0, 65535),
    databaseUrl,
    databasePoolSize: int('HANDOFF_DB_POOL_SIZE', 10, 1, 500),
    dataDir: path.resolve(env.HANDOFF_DATA_DIR || '.handoff'),
    heartbeatTtlMs: int('HANDOFF_HEARTBEAT_TTL_MS', 15_000, 1_000, 3_600_000),
    defaultLeaseTtlMs: int('HANDOFF_LEASE_TTL_MS', 30_000, defaultLimits.minLeaseTtlMs, defaultLimits.maxLeaseTtlMs),
    sweepIntervalMs: int('HANDOFF_SWEEP_INTERVAL_MS', 1_000, 50, 60_000),
    shutdownGraceMs: int('HANDOFF_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel: logLevel as Config['logLevel'],
    limits: {
      ...defaultLimits,
      maxLabels: int('HANDOFF_MAX_LABELS', defaultLimits.maxLabels, 0, 1000),
      maxCapacity: int('HANDOFF_MAX_CAPACITY', defaultLimits.maxCapacity, 1, 100_000),
      maxPageSize: int('HANDOFF_MAX_PAGE_SIZE', defaultLimits.maxPageSize, 1, 10_000),
    },
    ...overrides,
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
