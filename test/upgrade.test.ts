// Upgrading keeps the data: a database migrated by an earlier release, with rows in it, migrated to
// this release's migrations, still holds every row, carried into the new shape.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationTarget, applyMigrations, defaultMigrationsDir, readMigrations } from '../src/db/migrate.js';
import { type BackendName, type TestDatabase, backends, createTestDatabase } from './support/databases.js';

/** The committed migrations before the one named `name`, in a folder of their own. */
async function migrationsBefore(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'handoff-upgrade-'));
  await cp(defaultMigrationsDir, dir, { recursive: true });
  const all = await readMigrations(dir);
  const index = all.findIndex((migration) => migration.name.endsWith(`_${name}`));
  if (index < 0) throw new Error(`no migration named ${name}`);
  for (const migration of all.slice(index)) await rm(path.join(dir, migration.name), { recursive: true });
  return dir;
}

describe.each(backends)('upgrading a database with data on %s', (backend: BackendName) => {
  let database: TestDatabase;
  let pglite: PGlite | undefined;
  let target: MigrationTarget;
  const dirs: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    if (backend === 'pglite') {
      pglite = await PGlite.create();
      target = { kind: 'pglite', pglite };
    } else {
      target = { kind: 'postgres', connectionString: database.databaseUrl! };
    }
  });
  afterAll(async () => {
    await pglite?.close();
    await database?.drop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    if (pglite) return (await pglite.query<R>(sql, params)).rows;
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  it('consumer_life: OFFLINE becomes liveness with the status FREE, topics stay held, leases stay', async () => {
    const before = await migrationsBefore('consumer_life');
    dirs.push(before);
    await applyMigrations(target, before);
    // Rows as the release before wrote them: status OFFLINE meant "gone", and erased what was declared.
    await query(`INSERT INTO consumers (id, pool, topic, status, capacity, in_flight, labels, epoch, last_heartbeat_at, updated_at)
                 VALUES ('gone', 'p', 'handoff.p.gone', 'OFFLINE', 1, 1, '{gpu}', 3, now() - interval '1 hour', now() - interval '59 minutes'),
                        ('busy', 'p', 'handoff.p.busy', 'BUSY', 2, 0, '{}', 1, now(), now())`);
    await query(`INSERT INTO leases (id, consumer_id, pool, state, attempt, consumer_epoch, expires_at, message_value)
                 VALUES ('00000000-0000-4000-8000-000000000001', 'gone', 'p', 'DISPATCHED', 1, 3, now(), 'job')`);

    await applyMigrations(target);

    const consumers = await query<{ id: string; status: string; offline: boolean; offline_since_is_updated_at: boolean; active_topic: string; labels: string[]; epoch: number }>(
      `SELECT id, status::text AS status, offline_since IS NOT NULL AS offline, offline_since = updated_at AS offline_since_is_updated_at,
              active_topic, labels, epoch FROM consumers ORDER BY id`,
    );
    expect(consumers).toEqual([
      { id: 'busy', status: 'BUSY', offline: false, offline_since_is_updated_at: null, active_topic: 'handoff.p.busy', labels: [], epoch: 1 },
      { id: 'gone', status: 'FREE', offline: true, offline_since_is_updated_at: true, active_topic: 'handoff.p.gone', labels: ['gpu'], epoch: 3 },
    ]);
    const leases = await query<{ id: string; consumer_id: string; state: string; message_value: string }>(
      'SELECT l.id, l.consumer_id, l.state::text AS state, j.message_value FROM leases l JOIN jobs j ON j.id = l.job_id',
    );
    expect(leases).toEqual([{ id: '00000000-0000-4000-8000-000000000001', consumer_id: 'gone', state: 'DISPATCHED', message_value: 'job' }]);
  });

  it('backlog: the jobs recorded on leases become jobs, one per chain of attempts, in the state of its last attempt', async () => {
    const database2 = await createTestDatabase(backend);
    const pglite2 = backend === 'pglite' ? await PGlite.create() : undefined;
    const target2: MigrationTarget = pglite2 ? { kind: 'pglite', pglite: pglite2 } : { kind: 'postgres', connectionString: database2.databaseUrl! };
    const run = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
      if (pglite2) return (await pglite2.query<R>(sql)).rows;
      const client = new pg.Client({ connectionString: database2.databaseUrl });
      await client.connect();
      try {
        return (await client.query<R>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    try {
      const before = await migrationsBefore('backlog');
      dirs.push(before);
      await applyMigrations(target2, before);
      await run(`INSERT INTO consumers (id, pool, topic, active_topic, status, capacity, in_flight, labels, epoch, last_heartbeat_at, updated_at)
                 VALUES ('c', 'p', 'handoff.p.c', 'handoff.p.c', 'FREE', 4, 1, '{}', 1, now(), now())`);
      const lease = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
      // A job that failed once and runs again (chain 1 → 2), a completed one (3), one waiting for its next attempt (4),
      // one out of attempts (5), and a plain claim with no job (6).
      await run(`INSERT INTO leases (id, consumer_id, pool, state, attempt, consumer_epoch, expires_at, ended_at, message_key, message_value, message_headers, next_lease_id, labels, end_reason)
                 VALUES ('${lease(1)}', 'c', 'p', 'FAILED', 1, 1, now(), now(), 'k1', 'one', '{"h":"1"}', '${lease(2)}', '{gpu}', 'boom'),
                        ('${lease(2)}', 'c', 'p', 'DISPATCHED', 2, 1, now(), NULL, 'k1', 'one', '{"h":"1"}', NULL, '{gpu}', NULL),
                        ('${lease(3)}', 'c', 'p', 'COMPLETED', 1, 1, now(), now(), NULL, 'three', NULL, NULL, '{}', NULL),
                        ('${lease(4)}', 'c', 'p', 'EXPIRED', 2, 1, now(), now(), NULL, 'four', NULL, NULL, '{}', 'consumer went offline'),
                        ('${lease(5)}', 'c', 'p', 'FAILED', 5, 1, now(), now(), NULL, 'five', NULL, NULL, '{}', 'always'),
                        ('${lease(6)}', 'c', 'p', 'CLAIMED', 1, 1, now(), NULL, NULL, NULL, NULL, NULL, '{}', NULL)`);
      await applyMigrations(target2);
      const jobs = await run<{ id: string; state: string; attempts: number; message_value: string; labels: string[]; lease_id: string; first: boolean }>(
        `SELECT id, state::text AS state, attempts, message_value, labels, lease_id, sort_key = '-Infinity'::float8 AS first FROM jobs ORDER BY message_value`,
      );
      expect(jobs).toEqual([
        { id: lease(5), state: 'DEAD_LETTERING', attempts: 5, message_value: 'five', labels: [], lease_id: lease(5), first: false },
        { id: lease(4), state: 'PENDING', attempts: 2, message_value: 'four', labels: [], lease_id: lease(4), first: true },
        { id: lease(1), state: 'DISPATCHED', attempts: 2, message_value: 'one', labels: ['gpu'], lease_id: lease(2), first: false },
        { id: lease(3), state: 'COMPLETED', attempts: 1, message_value: 'three', labels: [], lease_id: lease(3), first: false },
      ]);
      const links = await run<{ id: string; job_id: string | null }>('SELECT id, job_id FROM leases ORDER BY id');
      expect(links).toEqual([
        { id: lease(1), job_id: lease(1) },
        { id: lease(2), job_id: lease(1) },
        { id: lease(3), job_id: lease(3) },
        { id: lease(4), job_id: lease(4) },
        { id: lease(5), job_id: lease(5) },
        { id: lease(6), job_id: null },
      ]);
    } finally {
      await pglite2?.close();
      await database2.drop();
    }
  });
});
