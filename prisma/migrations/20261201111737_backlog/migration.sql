-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('PENDING', 'DISPATCHED', 'COMPLETED', 'CANCELLED', 'DEAD_LETTERING', 'DEAD_LETTERED');

-- Data: every job recorded on leases moves to the jobs table: one job per chain of attempts (a
-- lease and the leases next_lease_id links it to), in the state of its last attempt. Kept aside here,
-- before the lease columns that hold them go.
CREATE TEMP TABLE lease_jobs ON COMMIT DROP AS
WITH RECURSIVE chain AS (
  SELECT l.id AS root, l.id, l.next_lease_id, 1 AS depth FROM leases l
  WHERE l.message_value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM leases p WHERE p.next_lease_id = l.id)
  UNION ALL
  SELECT chain.root, l.id, l.next_lease_id, chain.depth + 1 FROM chain JOIN leases l ON l.id = chain.next_lease_id
)
SELECT chain.root, chain.depth, l.id AS lease_id, l.pool, l.state::text AS state, l.attempt, l.labels, l.claimed_at,
       l.ended_at, l.end_reason, l.message_key, l.message_value, l.message_headers
FROM chain JOIN leases l ON l.id = chain.id;

-- AlterTable
ALTER TABLE "leases" DROP COLUMN "message_headers",
DROP COLUMN "message_key",
DROP COLUMN "message_value",
ADD COLUMN     "fairness_key" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "job_id" UUID;

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "pool" TEXT NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'PENDING',
    "replica_id" TEXT,
    "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "priority" INTEGER NOT NULL DEFAULT 0,
    "rank" INTEGER NOT NULL DEFAULT 0,
    "ranked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "fairness_key" TEXT NOT NULL DEFAULT '',
    "fair_tag" DOUBLE PRECISION NOT NULL,
    "sort_key" DOUBLE PRECISION NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claim_ttl_ms" INTEGER,
    "message_key" TEXT,
    "message_value" TEXT,
    "message_headers" JSONB,
    "idempotency_key" TEXT,
    "request_key" TEXT,
    "requested_by" TEXT,
    "source_topic" TEXT,
    "source_partition" INTEGER,
    "source_offset" BIGINT,
    "lease_id" UUID,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" TEXT,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pools" (
    "pool" TEXT NOT NULL,
    "fair_clock" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "pending" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "pools_pkey" PRIMARY KEY ("pool")
);

-- CreateTable
CREATE TABLE "fairness_keys" (
    "pool" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "max_in_flight" INTEGER,
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "next_tag" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fairness_keys_pkey" PRIMARY KEY ("pool","key")
);

-- CreateTable
CREATE TABLE "replicas" (
    "id" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replicas_pkey" PRIMARY KEY ("id")
);

-- Data: the jobs, from their last attempt. A job waiting for its next attempt is PENDING, first in
-- line, or DEAD_LETTERING once it used the default 5 attempts; leases learn their job.
INSERT INTO "jobs" ("id", "pool", "state", "labels", "fair_tag", "sort_key", "attempts", "message_key", "message_value",
                    "message_headers", "lease_id", "submitted_at", "ended_at", "end_reason")
SELECT DISTINCT ON (last.root) last.root, last.pool,
       (CASE WHEN last.state IN ('CLAIMED', 'DISPATCHED') THEN 'DISPATCHED'
             WHEN last.state IN ('EXPIRED', 'FAILED') AND last.attempt >= 5 THEN 'DEAD_LETTERING'
             WHEN last.state IN ('EXPIRED', 'FAILED') THEN 'PENDING'
             WHEN last.state = 'RELEASED' THEN 'CANCELLED'
             ELSE last.state END)::"JobState",
       last.labels, 0, CASE WHEN last.state IN ('EXPIRED', 'FAILED') AND last.attempt < 5 THEN '-Infinity'::float8 ELSE 0 END, last.attempt,
       last.message_key, last.message_value, last.message_headers, last.lease_id,
       (SELECT first.claimed_at FROM lease_jobs first WHERE first.root = last.root AND first.depth = 1),
       CASE WHEN last.state IN ('COMPLETED', 'RELEASED', 'DEAD_LETTERED') THEN last.ended_at END, last.end_reason
FROM lease_jobs last
ORDER BY last.root, last.depth DESC;
UPDATE "leases" SET "job_id" = lease_jobs.root FROM lease_jobs WHERE "leases"."id" = lease_jobs.lease_id;

-- CreateIndex
CREATE INDEX "jobs_pool_state_rank_sort_key_idx" ON "jobs"("pool", "state", "rank" DESC, "sort_key");

-- CreateIndex
CREATE INDEX "jobs_pool_state_fair_tag_idx" ON "jobs"("pool", "state", "fair_tag");

-- CreateIndex
CREATE INDEX "jobs_pool_state_submitted_at_idx" ON "jobs"("pool", "state", "submitted_at");

-- CreateIndex
CREATE INDEX "jobs_state_ended_at_idx" ON "jobs"("state", "ended_at");

-- CreateIndex
CREATE INDEX "jobs_replica_id_state_idx" ON "jobs"("replica_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_pool_idempotency_key_key" ON "jobs"("pool", "idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_pool_requested_by_request_key_key" ON "jobs"("pool", "requested_by", "request_key");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_source_topic_source_partition_source_offset_key" ON "jobs"("source_topic", "source_partition", "source_offset");

-- CreateIndex
CREATE INDEX "leases_job_id_idx" ON "leases"("job_id");

-- CreateIndex
CREATE INDEX "leases_pool_fairness_key_state_idx" ON "leases"("pool", "fairness_key", "state");
