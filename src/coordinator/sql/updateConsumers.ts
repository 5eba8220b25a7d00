import { type Sql, raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, isAvailableSql, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/** The row as it was, with a flag for whether it was alive (readable in `announce` as `changed."wasAlive"`). */
export interface UpdatedRow extends ChangedRow {
  wasAlive: boolean;
}

/**
 * The statement behind every change to registered consumer rows other than registering,
 * deregistering and claiming: changes the consumers matching `where` (rows another statement holds
 * are skipped when `skipLocked`), and announces those `announce` picks. `assignments` may read each
 * row as it was (`old`).
 */
export function updateConsumers(db: Database, where: Sql, assignments: Sql, announce: Sql, skipLocked = false): Promise<UpdatedRow[]> {
  return db.query<UpdatedRow>(sql`
    WITH old AS (
      SELECT id, status, in_flight, capacity, offline_since, deregistered_at FROM consumers
      WHERE deregistered_at IS NULL AND ${where}
      FOR UPDATE ${raw(skipLocked ? 'SKIP LOCKED' : '')}
    ), changed AS (
      UPDATE consumers c SET ${assignments}, updated_at = now()
      FROM old WHERE c.id = old.id
      RETURNING ${consumerColumns('c')},
                (${isAvailableSql('c')} AND NOT ${isAvailableSql('old')}) AS "slotOpened",
                false AS removed, old.offline_since IS NULL AS "wasAlive"
    )
    ${selectAndAnnounce(announce)}`);
}

/** Changes one consumer of the given epoch; nothing when the id is unknown or the epoch is not current (the caller tells which). */
export async function updateConsumer(db: Database, id: string, epoch: number, assignments: Sql, announce: Sql): Promise<UpdatedRow | undefined> {
  const [changed] = await updateConsumers(db, sql`id = ${id} AND epoch = ${epoch}`, assignments, announce);
  return changed;
}

/**
 * Alive, as assignments of an UPDATE of consumers `c`. One that was judged OFFLINE and shows life with
 * the same epoch was alive all along, only unheard: a false OFFLINE, counted (SET reads the row as it was).
 */
export const alive = raw(`false_offlines = c.false_offlines + (c.offline_since IS NOT NULL)::int, offline_since = NULL`);

/** A sign of life now, as assignments of an UPDATE of consumers `c`: heard now, and alive. */
export const signOfLife = sql`last_heartbeat_at = now(), ${alive}`;
