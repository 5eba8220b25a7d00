// How a slot takes its next job, written once and used by every statement that opens slots (a lease
// ends, a consumer turns FREE, registers, comes back alive) and by the statement that fills free
// slots when work arrives. Jobs and waiting producers are rows of one table (jobs), so one order
// decides (jobOrder): the highest rank (priority, raised by ageing) first; within a rank the smallest
// sort key, which is the job's start tag on its pool's fair clock (see enqueueJobs.ts); then the
// oldest, then by id.
//
// A statement using these CTEs first defines `slot`: one row (id, pool, labels, epoch, topic, free)
// for the consumer whose slots are open, `free` being how many jobs it may take now (0 when it is
// not claimable); and it updates that consumer itself, adding `(SELECT count(*) FROM assigned)` to
// its in_flight — PostgreSQL updates a row once per statement, so the assignment cannot.
import { type Sql, sql } from '../../sql/statement.js';
import { assignmentsChannel } from '../channels.js';
import { consumerRowColumns, jobOrder } from './fragments.js';


export interface AssignmentSettings {
  /** A waiting producer's lease without a job expires after its claim TTL (its own, or this default). */
  defaultLeaseTtlMs: number;
  /** A lease with a job: how long its consumer has to complete or extend it. */
  processingTtlMs: number;
  /**
   * Handoff can produce jobs itself (Kafka is configured): the backlog's and those sent again are
   * assigned. Without it, only waiting producers' jobs are (they produce, or Handoff's dispatch fails).
   */
  produces: boolean;
}

/** What the statements that end leases and assign jobs read of the configuration. */
export interface JobSettings extends AssignmentSettings {
  /** Attempts a job gets before it is dead-lettered. */
  maxAttempts: number;
}

/** No lease of this statement ended (see assignmentCtes' `released`). */
export const noneReleased = sql`SELECT NULL::text AS key, 0 AS n WHERE false`;

/**
 * `released`, `capped`, `picked`, `key_delta`, `key_counts`, `assigned`, `new_leases`,
 * `jobs_dispatched`, `linked`: the jobs `slot` takes, locked with SKIP LOCKED (so replicas
 * assigning at once never take one job twice), their leases, and the link from each job's previous
 * attempt to this one. A fairness key at its limit of jobs in flight is passed over; while any key of
 * the pool has a limit, a statement assigns at most one job, and the key's count changes under its
 * row lock — once per statement, the leases this statement ended (`released`: fairness key, count)
 * and the job it assigned together — so the limit holds exactly across replicas.
 */
export const assignmentCtes = (settings: AssignmentSettings, released: Sql = noneReleased): Sql => sql`
    released AS (${released}),
    capped AS (
      SELECT k.key FROM fairness_keys k, slot
      WHERE k.pool = slot.pool AND k.max_in_flight IS NOT NULL
        AND k.in_flight - coalesce((SELECT sum(r.n) FROM released r WHERE r.key = k.key), 0) >= k.max_in_flight
    ), limited AS (
      SELECT EXISTS (SELECT 1 FROM fairness_keys k, slot WHERE k.pool = slot.pool AND k.max_in_flight IS NOT NULL) AS yes
    ), picked AS (
      SELECT j.id, j.fairness_key, j.labels, j.attempts, j.message_key, j.message_value, j.message_headers, j.replica_id,
             j.claim_ttl_ms, j.lease_id AS previous_lease_id, gen_random_uuid() AS new_lease_id
      FROM jobs j, slot
      -- The pool as a value, not a join: the planner then reads the line in order from its index instead of sorting every pending job.
      WHERE j.pool = (SELECT pool FROM slot) AND j.state = 'PENDING' AND slot.labels @> j.labels
        AND j.fairness_key NOT IN (SELECT key FROM capped) AND (j.replica_id IS NOT NULL OR ${settings.produces})
      ${jobOrder}
      LIMIT (SELECT CASE WHEN (SELECT yes FROM limited) THEN least(slot.free, 1) ELSE slot.free END FROM slot)
      FOR UPDATE OF j SKIP LOCKED
    ), key_delta AS (
      SELECT key, sum(d)::int AS d FROM (
        SELECT r.key, -r.n AS d FROM released r
        UNION ALL
        SELECT picked.fairness_key, 1 FROM picked
      ) changes GROUP BY key
    ), key_counts AS (
      -- Re-checked under the row's lock: a job is let in only while its key is under its limit.
      UPDATE fairness_keys k SET in_flight = greatest(k.in_flight + key_delta.d, 0)
      FROM key_delta, slot
      WHERE k.pool = slot.pool AND k.key = key_delta.key AND k.max_in_flight IS NOT NULL
        AND (key_delta.d <= 0 OR k.in_flight + key_delta.d <= k.max_in_flight)
      RETURNING k.key
    ), assigned AS (
      SELECT picked.* FROM picked, slot
      WHERE picked.fairness_key IN (SELECT key FROM key_counts)
         OR NOT EXISTS (SELECT 1 FROM fairness_keys k WHERE k.pool = slot.pool AND k.key = picked.fairness_key AND k.max_in_flight IS NOT NULL)
    ), new_leases AS (
      INSERT INTO leases (id, consumer_id, pool, labels, state, attempt, consumer_epoch, claimed_at, expires_at, topic,
                          dispatched_at, job_id, fairness_key)
      SELECT a.new_lease_id, slot.id, slot.pool, a.labels,
             (CASE WHEN a.message_value IS NULL THEN 'CLAIMED' ELSE 'DISPATCHED' END)::"LeaseState", a.attempts + 1, slot.epoch, now(),
             now() + (CASE WHEN a.message_value IS NULL THEN coalesce(a.claim_ttl_ms, ${settings.defaultLeaseTtlMs})
                           ELSE ${settings.processingTtlMs} END) * interval '1 millisecond',
             CASE WHEN a.message_value IS NOT NULL THEN slot.topic END, CASE WHEN a.message_value IS NOT NULL THEN now() END,
             a.id, a.fairness_key
      FROM assigned a, slot
      RETURNING id, state, attempt, claimed_at, expires_at
    ), jobs_dispatched AS (
      UPDATE jobs j SET state = 'DISPATCHED', attempts = j.attempts + 1, lease_id = a.new_lease_id
      FROM assigned a WHERE j.id = a.id
      RETURNING j.id
    ), linked AS (
      UPDATE leases SET next_lease_id = a.new_lease_id FROM assigned a WHERE leases.id = a.previous_lease_id
      RETURNING leases.id
    )`;

/** How many jobs the slot took: the statement adds it to the consumer's in_flight. */
export const assignedCount = sql`(SELECT count(*)::int FROM assigned)`;

/**
 * Result columns of a statement that assigned: `"assigned"`, the jobs Handoff must now produce
 * itself (the backlog's and those sent again: no producer waits for them), and `"_notified"`, the
 * announcement to each waiting producer's replica of the lease its job got, with the consumer
 * after the change (read from the CTE named `changed`).
 */
export const assignedResults = sql`
    (SELECT coalesce(json_agg(json_build_object(
        'jobId', a.id, 'leaseId', a.new_lease_id, 'attempt', a.attempts + 1, 'topic', slot.topic,
        'key', a.message_key, 'value', a.message_value, 'headers', a.message_headers)), '[]'::json)
     FROM assigned a, slot WHERE a.replica_id IS NULL) AS "assigned",
    (SELECT count(pg_notify(${assignmentsChannel}, json_build_object(
        'jobId', a.id, 'replicaId', a.replica_id,
        'lease', json_build_object('leaseId', l.id, 'leaseState', l.state, 'attempt', l.attempt, 'claimedAt', l.claimed_at,
                                   'expiresAt', l.expires_at, 'endedAt', NULL, 'endReason', NULL),
        'consumer', (SELECT row_to_json(x) FROM (SELECT ${consumerRowColumns('changed')} FROM changed) x))::text))::int
     FROM assigned a JOIN new_leases l ON l.id = a.new_lease_id WHERE a.replica_id IS NOT NULL) AS "_notified"`;

/** A job Handoff produces itself after assigning it. */
export interface AssignedJob {
  jobId: string;
  leaseId: string;
  attempt: number;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string> | null;
}

