import { raw, sql } from '../../sql/statement.js';
import type { Database, JobMessage } from '../ports.js';

/** A job to put in line. */
export interface NewJob {
  id: string;
  /** None for a waiting producer that will send the job itself. */
  message?: JobMessage | undefined;
  labels: string[];
  priority: number;
  fairnessKey: string;
  idempotencyKey?: string | undefined;
  /** Where the Kafka intake read it. */
  source?: { topic: string; partition: number; offset: string } | undefined;
}

/** A producer waiting for this (one) job's lease on a replica. */
export interface Waiter {
  replicaId: string;
  /** The lease's time to live when it carries no job. */
  claimTtlMs: number;
  requestKey?: string | undefined;
  requestedBy?: string | undefined;
}

export interface Enqueue {
  pool: string;
  jobs: NewJob[];
  waiter?: Waiter | undefined;
  /** Backlog jobs only: refuse the whole batch when the pool's pending count would pass this. */
  limit?: number | undefined;
}

export interface EnqueuedRow {
  /** The job's id: the new one, or the one already there with the same idempotency (or request) key. */
  id: string | null;
  state: string | null;
  leaseId: string | null;
  /** It was there already: this call added nothing. */
  existed: boolean;
  /** The batch would pass the pool's limit: nothing was added. */
  refused: boolean;
}

/**
 * Puts jobs in their pool's line, in one statement. Each job's place is its start tag on the pool's
 * fair clock: a fairness key's jobs follow one another 1/weight apart, and a key that had no work
 * starts at the clock (the smallest tag still waiting), so it is not behind others' earlier work.
 * A job whose idempotency key (or intake position) is known already is not added again; for a
 * waiting producer, a request key it used before takes that job over (or returns its lease), and
 * puts it back in line when its producer had left.
 */
export function enqueueJobs(db: Database, batch: Enqueue): Promise<EnqueuedRow[]> {
  const { pool, jobs, waiter } = batch;
  const column = <T>(pick: (job: NewJob) => T) => jobs.map(pick);
  const n = jobs.length;
  return db.query<EnqueuedRow>(sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((job) => job.id)}::uuid[], ${column((job) => job.message?.key ?? null)}::text[],
        ${column((job) => job.message?.value ?? null)}::text[],
        ${column((job) => (job.message ? JSON.stringify(job.message.headers) : null))}::text[],
        ${column((job) => job.labels.join(','))}::text[], ${column((job) => job.priority)}::int[],
        ${column((job) => job.fairnessKey)}::text[], ${column((job) => job.idempotencyKey ?? null)}::text[],
        ${column((job) => job.source?.topic ?? null)}::text[], ${column((job) => job.source?.partition ?? null)}::int[],
        ${column((job) => job.source?.offset ?? null)}::bigint[]
      ) WITH ORDINALITY AS i(id, message_key, message_value, message_headers, labels, priority, fairness_key, idempotency_key,
                             source_topic, source_partition, source_offset, ord)
    ), clock AS (
      -- The limit is checked on the pool's row once it is locked (its latest count, in ON CONFLICT's WHERE), not
      -- on the statement's snapshot: submissions running at the same time cannot pass it together.
      INSERT INTO pools AS p (pool, fair_clock, pending)
      SELECT ${pool}, 0, ${waiter ? 0 : n} WHERE ${batch.limit ?? null}::int IS NULL OR ${n} <= ${batch.limit ?? null}::int
      ON CONFLICT (pool) DO UPDATE SET
        fair_clock = greatest(p.fair_clock, coalesce((SELECT min(j.fair_tag) FROM jobs j WHERE j.pool = ${pool} AND j.state = 'PENDING'), p.fair_clock)),
        pending = p.pending + EXCLUDED.pending
      WHERE ${batch.limit ?? null}::int IS NULL OR p.pending + ${n} <= ${batch.limit ?? null}::int
      RETURNING fair_clock
    ), allowed AS (
      SELECT EXISTS (SELECT 1 FROM clock) AS yes
    ), counts AS (
      SELECT fairness_key, count(*)::int AS n FROM input GROUP BY fairness_key
    ), keys AS (
      INSERT INTO fairness_keys AS k (pool, key, next_tag)
      SELECT ${pool}, counts.fairness_key, (SELECT fair_clock FROM clock) + counts.n FROM counts WHERE (SELECT yes FROM allowed)
      ON CONFLICT (pool, key) DO UPDATE SET
        next_tag = greatest(k.next_tag, (SELECT fair_clock FROM clock)) + (EXCLUDED.next_tag - (SELECT fair_clock FROM clock)) / k.weight,
        updated_at = now()
      RETURNING k.key, k.weight, k.next_tag
    ), tagged AS (
      SELECT input.*, keys.next_tag - counts.n / keys.weight
                      + (row_number() OVER (PARTITION BY input.fairness_key ORDER BY input.ord) - 1) / keys.weight AS fair_tag
      FROM input JOIN counts ON counts.fairness_key = input.fairness_key JOIN keys ON keys.key = input.fairness_key
    ), inserted AS (
      INSERT INTO jobs (id, pool, state, replica_id, labels, priority, rank, fairness_key, fair_tag, sort_key, claim_ttl_ms,
                        message_key, message_value, message_headers, idempotency_key, request_key, requested_by,
                        source_topic, source_partition, source_offset)
      SELECT t.id, ${pool}, 'PENDING', ${waiter?.replicaId ?? null}, string_to_array(t.labels, ','), t.priority, t.priority,
             t.fairness_key, t.fair_tag, t.fair_tag, ${waiter?.claimTtlMs ?? null}::int, t.message_key, t.message_value,
             t.message_headers::jsonb, t.idempotency_key, ${waiter?.requestKey ?? null}, ${waiter?.requestedBy ?? null},
             t.source_topic, t.source_partition, t.source_offset
      FROM tagged t
      ORDER BY t.ord
      ${
        waiter?.requestKey
          ? // A wait its producer left (CANCELLED before any lease reached it) is back in line, in its old place.
            raw(`ON CONFLICT (pool, requested_by, request_key) DO UPDATE SET replica_id = EXCLUDED.replica_id,
                   state = 'PENDING', lease_id = NULL, attempts = 0, ended_at = NULL, end_reason = NULL
                 WHERE jobs.state IN ('PENDING', 'CANCELLED')`)
          : raw('ON CONFLICT DO NOTHING')
      }
      RETURNING id, state::text AS state, lease_id, request_key
    )
    SELECT coalesce(ins.id, dup.id) AS id, coalesce(ins.state, dup.state) AS state, coalesce(ins.lease_id, dup.lease_id) AS "leaseId",
           ins.id IS DISTINCT FROM i.id AS existed, NOT (SELECT yes FROM allowed) AS refused
    FROM input i
    LEFT JOIN inserted ins ON ins.id = i.id OR (ins.request_key IS NOT NULL AND ins.request_key = ${waiter?.requestKey ?? null})
    LEFT JOIN LATERAL (
      SELECT j.id, j.state::text AS state, j.lease_id FROM jobs j
      WHERE ins.id IS NULL AND j.pool = ${pool}
        AND ((i.idempotency_key IS NOT NULL AND j.idempotency_key = i.idempotency_key)
             OR (i.source_topic IS NOT NULL AND j.source_topic = i.source_topic AND j.source_partition = i.source_partition
                 AND j.source_offset = i.source_offset)
             OR (${waiter?.requestKey ?? null}::text IS NOT NULL AND j.requested_by = ${waiter?.requestedBy ?? null} AND j.request_key = ${waiter?.requestKey ?? null}))
      LIMIT 1
    ) dup ON true
    ORDER BY i.ord`);
}
