import { type Sql, empty, raw, sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import { type AssignedJob, type AssignmentSettings, assignedCount, assignedResults, assignmentCtes } from './assignment.js';
import { announceChanged, consumerColumns, isActiveLease, isAvailableSql, leaseColumns } from './fragments.js';
import type { LeaseRow } from './rows.js';
import { signOfLife } from './updateConsumers.js';

export type EndedState = 'COMPLETED' | 'RELEASED' | 'EXPIRED' | 'FAILED';

export interface EndOptions {
  /** Attempts a job gets: one that used them up is dead-lettered rather than sent again. */
  maxAttempts: number;
  /** Why it ended (may read `l` and `owner`). */
  reason?: Sql | undefined;
  /** The consumer itself ends it, at its current epoch: a sign of life. */
  signOfLife?: boolean | undefined;
  /**
   * A RELEASED lease's job: `cancel` — its producer gives up, nothing was sent; `retry` — Handoff
   * could not produce it, and it waits first in line.
   */
  released?: 'cancel' | 'retry' | undefined;
  /** One lease only: the slot it frees takes its next job in this statement. */
  assign?: AssignmentSettings | undefined;
}

export interface EndedRow extends LeaseRow {
  /** Jobs this statement assigned that Handoff must produce itself (with `assign`). */
  assigned: AssignedJob[] | null;
  /** Jobs that went back to PENDING: they wait for a free slot (the caller fills free ones). */
  requeued: number;
}

/**
 * The statement behind every end of a lease: ends every active lease matching `where` (which may
 * read the lease as `l` and its consumer as `owner`), gives the slots back to their consumers (a
 * consumer that was full goes to the back of the idle line), and moves each lease's job on:
 * COMPLETED; CANCELLED (released by its producer, or a waiting producer's claim that ran out with no
 * job on it); PENDING first in line, to be sent again (expired, failed, or not produced); or
 * DEAD_LETTERING once it used its attempts. With `assign`, the freed slot takes its next job at
 * once. One row per ended lease, with its consumer after the change.
 */
export function endLeases(db: Database, state: EndedState, where: Sql, options: EndOptions): Promise<EndedRow[]> {
  const nextJobState =
    state === 'COMPLETED'
      ? raw(`'COMPLETED'`)
      : state === 'RELEASED' && options.released !== 'retry'
        ? raw(`'CANCELLED'`)
        : sql`CASE WHEN j.message_value IS NULL THEN 'CANCELLED' WHEN j.attempts >= ${options.maxAttempts} AND ${state} <> 'RELEASED' THEN 'DEAD_LETTERING' ELSE 'PENDING' END`;
  const alive = options.signOfLife ? raw('true') : raw('old.offline_since IS NULL');
  const assign = options.assign;
  return db.query<EndedRow>(sql`
    WITH ended AS (
      UPDATE leases l SET state = ${state}::"LeaseState", ended_at = now(), end_reason = ${options.reason ?? raw('NULL')}
      FROM consumers owner
      WHERE owner.id = l.consumer_id AND ${isActiveLease('l')} AND ${where}
      RETURNING l.id, l.consumer_id, l.pool, l.state, l.attempt, l.claimed_at, l.expires_at, l.ended_at, l.end_reason,
                l.job_id, l.fairness_key
    ), job_next AS (
      SELECT j.id, (${nextJobState})::text AS state FROM jobs j JOIN ended ON j.id = ended.job_id AND j.lease_id = ended.id
      WHERE j.state = 'DISPATCHED'
      FOR UPDATE OF j
    ), job_after AS (
      UPDATE jobs j SET state = n.state::"JobState",
             sort_key = CASE WHEN n.state = 'PENDING' THEN '-Infinity'::float8 ELSE j.sort_key END,
             replica_id = CASE WHEN n.state = 'PENDING' THEN NULL ELSE j.replica_id END,
             ended_at = CASE WHEN n.state IN ('COMPLETED', 'CANCELLED') THEN now() END,
             end_reason = CASE WHEN n.state = 'COMPLETED' THEN NULL ELSE ended.end_reason END
      FROM job_next n JOIN ended ON ended.job_id = n.id
      WHERE j.id = n.id
      RETURNING j.id
    ), ${
      assign
        ? empty // the assignment below changes the key counts, these leases' among them (a row once per statement)
        : sql`key_counts AS (
      UPDATE fairness_keys k SET in_flight = greatest(k.in_flight - x.n, 0)
      FROM (SELECT pool, fairness_key, count(*)::int AS n FROM ended GROUP BY pool, fairness_key) x
      WHERE k.pool = x.pool AND k.key = x.fairness_key AND k.max_in_flight IS NOT NULL
      RETURNING k.key
    ),`
    } counts AS (
      SELECT consumer_id, count(*)::int AS n FROM ended GROUP BY consumer_id
    ), old AS (
      SELECT c.id, c.pool, c.labels, c.epoch, c.topic, c.status, c.in_flight, c.capacity, c.offline_since, c.deregistered_at
      -- In id order: statements that end several consumers' leases at once lock their rows in one order, never crosswise.
      FROM consumers c WHERE c.id IN (SELECT consumer_id FROM counts) ORDER BY c.id FOR UPDATE
    ), ${assign ? sql`slot AS (
      SELECT old.id, old.pool, old.labels, old.epoch, old.topic,
             CASE WHEN old.status = 'FREE' AND ${alive} AND old.deregistered_at IS NULL
                  THEN greatest(old.capacity - (old.in_flight - counts.n), 0) ELSE 0 END AS free
      FROM old JOIN counts ON counts.consumer_id = old.id
    ), ${assignmentCtes(assign, sql`SELECT fairness_key AS key, count(*)::int AS n FROM ended GROUP BY fairness_key`)},` : empty}
    changed AS (
      UPDATE consumers c
      SET in_flight = c.in_flight - counts.n ${assign ? sql`+ ${assignedCount}` : empty},
          free_since = CASE WHEN ${assign ? sql`${assignedCount} > 0` : raw('false')} THEN now()
                            WHEN (old.in_flight >= old.capacity ${options.signOfLife ? raw('OR old.offline_since IS NOT NULL') : empty})
                                 AND c.status = 'FREE' THEN now()
                            ELSE c.free_since END,
          ${options.signOfLife ? sql`${signOfLife},` : empty}
          updated_at = now()
      FROM old JOIN counts ON counts.consumer_id = old.id
      WHERE c.id = old.id
      RETURNING ${consumerColumns('c')}, ${isAvailableSql('c')} AS "slotOpened", false AS removed
    )
    SELECT changed.*, ${leaseColumns('ended')}, ${announceChanged()},
           (SELECT count(*)::int FROM job_next WHERE job_next.state = 'PENDING') AS requeued,
           ${assign ? assignedResults : raw('NULL::json AS "assigned"')}
    FROM ended JOIN changed ON changed.id = ended.consumer_id`);
}
