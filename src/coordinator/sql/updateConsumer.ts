import { type ChangedRow, type Db, type Sql, consumerColumns, isAvailableSql, raw, selectAndAnnounce, sql } from './fragments.js';

/**
 * Changes the consumers matching `where` (rows another statement holds are skipped when `skipLocked`).
 * `assignments` may read each row as it was (`old`).
 */
function updateConsumers(db: Db, where: Sql, assignments: Sql, announce: Sql, skipLocked = false): Promise<ChangedRow[]> {
  return db.$queryRaw<ChangedRow[]>`
    WITH old AS (
      SELECT id, status, in_flight, capacity FROM consumers WHERE ${where} FOR UPDATE ${raw(skipLocked ? 'SKIP LOCKED' : '')}
    ), changed AS (
      UPDATE consumers c SET ${assignments}, updated_at = now()
      FROM old WHERE c.id = old.id
      RETURNING ${consumerColumns('c')},
                (${isAvailableSql('c')} AND NOT ${isAvailableSql('old')}) AS "slotOpened",
                false AS removed, old.status::text AS "oldStatus"
    )
    ${selectAndAnnounce(announce)}`;
}

/** Changes one consumer of the given epoch; nothing when the id is unknown or the epoch is not current (the caller tells which). */
async function updateConsumer(db: Db, id: string, epoch: number, assignments: Sql, announce: Sql): Promise<ChangedRow | undefined> {
  const [changed] = await updateConsumers(db, sql`id = ${id} AND epoch = ${epoch}`, assignments, announce);
  return changed;
}

/** Sets FREE, BUSY or DRAINING. Turning FREE puts the consumer at the back of the idle line. */
export function setConsumerStatus(db: Db, id: string, epoch: number, status: string) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`status = ${status}::"ConsumerStatus",
        free_since = CASE WHEN ${status} <> 'FREE' THEN NULL
                          WHEN old.status = 'FREE' THEN c.free_since
                          ELSE now() END`,
    raw('true'),
  );
}

/** Records a heartbeat; an OFFLINE consumer that beats again is FREE again (and announced). */
export function recordHeartbeat(db: Db, id: string, epoch: number) {
  return updateConsumer(
    db,
    id,
    epoch,
    sql`last_heartbeat_at = now(),
        status = CASE WHEN old.status = 'OFFLINE' THEN 'FREE' ELSE old.status END,
        free_since = CASE WHEN old.status = 'OFFLINE' THEN now() ELSE c.free_since END`,
    raw(`changed."oldStatus" = 'OFFLINE'`),
  );
}

/** Consumers silent for longer than the heartbeat TTL are OFFLINE: never claimed until they beat again. */
export function markSilentConsumersOffline(db: Db, heartbeatTtlMs: number) {
  return updateConsumers(
    db,
    sql`status <> 'OFFLINE' AND last_heartbeat_at < now() - ${heartbeatTtlMs} * interval '1 millisecond'`,
    sql`status = 'OFFLINE', free_since = NULL`,
    raw('true'),
    true,
  );
}
