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
      'SELECT id, consumer_id, state::text AS state, message_value FROM leases',
    );
    expect(leases).toEqual([{ id: '00000000-0000-4000-8000-000000000001', consumer_id: 'gone', state: 'DISPATCHED', message_value: 'job' }]);
  });
});
