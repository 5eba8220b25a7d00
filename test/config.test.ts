// Configuration: read once from the environment; every bad value is named, empty means unset.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadCliSettings, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { sql } from '../src/sql/statement.js';
import { createTestDatabase } from './support/databases.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('names every bad setting at once', () => {
    const problems = problemsOf({ PORT: 'eighty', HANDOFF_LOG_FORMAT: 'xml', HANDOFF_METRICS: 'yes', HANDOFF_ADMIN_TOKEN: 'short' });
    expect(problems).toHaveLength(4);
    for (const named of ['PORT must be', 'HANDOFF_LOG_FORMAT must be json or pretty', 'HANDOFF_METRICS must be on or off', 'HANDOFF_ADMIN_TOKEN must be']) {
      expect(problems.some((problem) => problem.startsWith(named)), named).toBe(true);
    }
  });

  it('treats an empty variable as unset (as docker-compose passes ${VAR:-})', () => {
    const config = loadConfig({ HANDOFF_ADMIN_TOKEN: '', DATABASE_URL: '', KAFKA_BROKERS: '', HANDOFF_LOG_FORMAT: 'json' });
    expect(config.adminToken).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafka).toBeUndefined();
  });

  it('the embedded database runs with the buffer cache asked for: 32 MiB unless HANDOFF_PGLITE_BUFFERS_MB says otherwise', async () => {
    expect(problemsOf({ HANDOFF_PGLITE_BUFFERS_MB: '2' }).some((problem) => problem.startsWith('HANDOFF_PGLITE_BUFFERS_MB must be'))).toBe(true);
    for (const [env, expected] of [[{}, '32MB'], [{ HANDOFF_PGLITE_BUFFERS_MB: '16' }, '16MB']] as const) {
      const testDatabase = await createTestDatabase('pglite');
      const database = await openDatabase(loadConfig({ ...env, HANDOFF_DATA_DIR: testDatabase.dataDir }));
      try {
        const [row] = await database.query<{ shared_buffers: string }>(sql`SHOW shared_buffers`);
        expect(row?.shared_buffers).toBe(expected);
      } finally {
        await database.close();
        await testDatabase.drop();
      }
    }
  });

  it('metrics on and JSON or pretty logs as asked', () => {
    expect(loadConfig({ HANDOFF_LOG_FORMAT: 'pretty' })).toMatchObject({ logFormat: 'pretty', metrics: true });
    expect(loadConfig({ HANDOFF_LOG_FORMAT: 'json', HANDOFF_METRICS: 'off' })).toMatchObject({ logFormat: 'json', metrics: false });
  });
});

describe('loadCliSettings', () => {
  it('flags win over the environment, which wins over the default', () => {
    expect(loadCliSettings({})).toEqual({ url: 'http://127.0.0.1:4000/graphql', token: undefined });
    expect(loadCliSettings({ HANDOFF_URL: 'https://h.example/graphql', HANDOFF_TOKEN: 't' })).toEqual({ url: 'https://h.example/graphql', token: 't' });
    expect(loadCliSettings({ HANDOFF_URL: 'https://h.example/graphql' }, { url: 'http://127.0.0.1:1/graphql', token: 'f' })).toEqual({
      url: 'http://127.0.0.1:1/graphql',
      token: 'f',
    });
    expect(() => loadCliSettings({ HANDOFF_URL: 'h.example:4000' })).toThrow(ConfigError);
  });
});
