// SQL pieces the statements share: how a consumer or lease row is returned, how a change is
// announced, which consumers a claim may take and in which order, and how a slot is taken. Keeping
// each rule here once keeps the statements readable and alike.
import { type Sql, raw, sql } from '../../sql/statement.js';
import { activeLeaseStates } from '../types.js';
import { changesChannel } from '../channels.js';

/** The consumers table's columns, for the RETURNING of a CTE that other parts read as a consumer row. */
export const consumerTableColumns = (t: string) =>
  raw(['id', 'pool', 'topic', 'status', 'capacity', 'in_flight', 'labels', 'epoch', 'last_heartbeat_at', 'free_since', 'offline_since', 'registered_at', 'deregistered_at']
    .map((column) => `${t}.${column}`)
    .join(', '));

/**
 * A consumer row in the shape of ConsumerRow, read from table alias `t`. `status` is what clients
 * see: OFFLINE while Handoff judges the consumer gone, else what it declared (`declaredStatus`).
 */
export const consumerColumns = (t: string) =>
  raw(`${t}.id, ${t}.pool, ${t}.topic, ${effectiveStatus(t)} AS status, ${t}.status::text AS "declaredStatus",
       ${t}.capacity, ${t}.in_flight AS "inFlight", ${t}.labels, ${t}.epoch, ${t}.last_heartbeat_at AS "lastHeartbeatAt",
       ${t}.free_since AS "freeSince", ${t}.offline_since AS "offlineSince", ${t}.registered_at AS "registeredAt",
       ${t}.deregistered_at AS "deregisteredAt"`);

/** The columns of a row already in the shape of ConsumerRow (a CTE that returned consumerColumns), from alias `t`. */
export const consumerRowColumns = (t: string) =>
  raw(['id', 'pool', 'topic', 'status', '"declaredStatus"', 'capacity', '"inFlight"', 'labels', 'epoch', '"lastHeartbeatAt"', '"freeSince"', '"offlineSince"', '"registeredAt"', '"deregisteredAt"']
    .map((column) => `${t}.${column}`)
    .join(', '));

/** OFFLINE while not alive, else the declared status. */
export const effectiveStatus = (t: string) => `(CASE WHEN ${t}.offline_since IS NULL THEN ${t}.status::text ELSE 'OFFLINE' END)`;

/** Registered (not deregistered) and alive. Reads table alias `t`. */
export const isLiveSql = (t: string) => raw(`(${t}.offline_since IS NULL AND ${t}.deregistered_at IS NULL)`);

/** A lease row's own columns in the shape of LeaseRow, read from table alias `t`. */
export const leaseColumns = (t: string) =>
  raw(`${t}.id AS "leaseId", ${t}.state::text AS "leaseState", ${t}.attempt, ${t}.claimed_at AS "claimedAt",
       ${t}.expires_at AS "expiresAt", ${t}.ended_at AS "endedAt", ${t}.end_reason AS "endReason"`);

/** A jobs row in the shape of JobRow, read from table alias `t`. */
export const jobColumns = (t: string) =>
  raw(`${t}.id, ${t}.pool, ${t}.state::text AS state, ${t}.replica_id IS NOT NULL AS "waiting", ${t}.labels, ${t}.priority, ${t}.rank,
       ${t}.fairness_key AS "fairnessKey", ${t}.attempts, ${t}.message_key AS "messageKey", ${t}.message_value AS "messageValue",
       ${t}.message_headers AS "messageHeaders", ${t}.idempotency_key AS "idempotencyKey", ${t}.lease_id AS "leaseId",
       ${t}.submitted_at AS "submittedAt", ${t}.ended_at AS "endedAt", ${t}.end_reason AS "endReason",
       ${t}.source_topic AS "sourceTopic", ${t}.source_partition AS "sourcePartition", ${t}.source_offset::text AS "sourceOffset"`);

/** Claimable now: declared FREE, alive, registered, with a slot left. Reads table alias `t`. */
export const isAvailableSql = (t: string) =>
  raw(`(${t}.status = 'FREE' AND ${t}.offline_since IS NULL AND ${t}.deregistered_at IS NULL AND ${t}.in_flight < ${t}.capacity)`);

/** The lease `t` holds a slot of its consumer. */
export const isActiveLease = (t: string) => raw(`${t}.state IN (${activeLeaseStates.map((state) => `'${state}'`).join(', ')})`);

/** Among PENDING jobs `j`: the highest rank first, then the smallest sort key (fair tag), the oldest, by id. */
export const jobOrder = raw('ORDER BY j.rank DESC, j.sort_key, j.submitted_at, j.id');

/** Among claimable consumers `c`, the one idle longest goes first; ties by id. */
export const claimOrder = raw('ORDER BY c.free_since ASC NULLS LAST, c.id ASC');

/**
 * Announces each row of a CTE named `changed` (consumer columns plus "slotOpened" and "removed") with
 * pg_notify, when some replica listens for its pool's changes (see watch.ts): NOTIFY takes a lock
 * held through commit, so a change nobody listens for is not announced. NOTIFY is delivered only when
 * the transaction commits, so a change is never announced before it is durable, and every replica
 * listening on the channel hears it. `announce` picks the rows worth announcing (a plain heartbeat is not).
 */
export const announceChanged = (announce = raw('true')) =>
  sql`CASE WHEN ${announce} AND EXISTS (SELECT 1 FROM watchers w WHERE w.pool = changed.pool OR w.pool = '')
           THEN pg_notify(${changesChannel}, row_to_json(changed)::text)::text END AS "_announced"`;

/** Returns and announces the CTE named `changed`. */
export const selectAndAnnounce = (announce = raw('true')) => sql`SELECT changed.*, ${announceChanged(announce)} FROM changed`;

/** Who says they hold a lease: checked when given, so a replaced instance cannot act on it. */
export interface LeaseOwnerCheck {
  consumerId?: string | undefined;
  epoch?: number | undefined;
}

/** The lease `leaseId`, as `l`, held by the given consumer at the given epoch (its consumer row is `owner`). */
export const leaseOwnedBy = (leaseId: string, owner: LeaseOwnerCheck) => sql`
  l.id = ${leaseId}::uuid
  AND (${owner.consumerId ?? null}::text IS NULL OR l.consumer_id = ${owner.consumerId ?? null})
  AND (${owner.epoch ?? null}::int IS NULL OR owner.epoch = ${owner.epoch ?? null})`;

/** Where a claim looks: consumers `c` of the pool carrying the labels, claimable now, in claim order. */
export const claimableConsumers = (pool: string, labels: readonly string[]) => sql`
  SELECT c.id FROM consumers c
  WHERE c.pool = ${pool} AND ${isAvailableSql('c')} AND c.labels @> ${labels}::text[]
  ${claimOrder}`;
