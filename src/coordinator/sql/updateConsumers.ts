import { type Sql, raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { consumerColumns, isAvailableSql, selectAndAnnounce } from './fragments.js';
import type { ChangedRow } from './rows.js';

/**
 * The statement behind every change to consumer rows other than registering, deregistering and
 * claiming: changes the consumers matching `where` (rows another statement holds are skipped when
 * `skipLocked`), and announces those `announce` picks. `assignments` may read each row as it was (`old`).
 */
export function updateConsumers(db: Database, where: Sql, assignments: Sql, announce: Sql, skipLocked = false): Promise<ChangedRow[]> {
  return db.query<ChangedRow>(sql`
    WITH old AS (
      SELECT id, status, in_flight, capacity FROM consumers WHERE ${where} FOR UPDATE ${raw(skipLocked ? 'SKIP LOCKED' : '')}
    ), changed AS (
      UPDATE consumers c SET ${assignments}, updated_at = now()
      FROM old WHERE c.id = old.id
      RETURNING ${consumerColumns('c')},
                (${isAvailableSql('c')} AND NOT ${isAvailableSql('old')}) AS "slotOpened",
                false AS removed, old.status::text AS "oldStatus"
    )
    ${selectAndAnnounce(announce)}`);
}

/** Changes one consumer of the given epoch; nothing when the id is unknown or the epoch is not current (the caller tells which). */
export async function updateConsumer(db: Database, id: string, epoch: number, assignments: Sql, announce: Sql): Promise<ChangedRow | undefined> {
  const [changed] = await updateConsumers(db, sql`id = ${id} AND epoch = ${epoch}`, assignments, announce);
  return changed;
}
