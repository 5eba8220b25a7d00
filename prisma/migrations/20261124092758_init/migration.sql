-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ConsumerStatus" AS ENUM ('FREE', 'BUSY', 'DRAINING', 'OFFLINE');

-- CreateEnum
CREATE TYPE "LeaseState" AS ENUM ('CLAIMED', 'DISPATCHED', 'COMPLETED', 'RELEASED', 'EXPIRED', 'DEAD_LETTERED');

-- CreateTable
CREATE TABLE "consumers" (
    "id" TEXT NOT NULL,
    "pool" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "status" "ConsumerStatus" NOT NULL DEFAULT 'FREE',
    "capacity" INTEGER NOT NULL DEFAULT 1,
    "in_flight" INTEGER NOT NULL DEFAULT 0,
    "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "epoch" INTEGER NOT NULL DEFAULT 1,
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "free_since" TIMESTAMPTZ(3),
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leases" (
    "id" UUID NOT NULL,
    "consumer_id" TEXT NOT NULL,
    "pool" TEXT NOT NULL,
    "state" "LeaseState" NOT NULL DEFAULT 'CLAIMED',
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "consumer_epoch" INTEGER NOT NULL,
    "claimed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "leases_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "consumers_topic_key" ON "consumers"("topic");

-- CreateIndex
CREATE INDEX "consumers_pool_status_free_since_idx" ON "consumers"("pool", "status", "free_since");

-- CreateIndex
CREATE INDEX "leases_consumer_id_state_idx" ON "leases"("consumer_id", "state");

-- CreateIndex
CREATE INDEX "leases_state_expires_at_idx" ON "leases"("state", "expires_at");

-- CreateIndex
CREATE INDEX "leases_pool_claimed_at_idx" ON "leases"("pool", "claimed_at");

-- AddForeignKey
ALTER TABLE "leases" ADD CONSTRAINT "leases_consumer_id_fkey" FOREIGN KEY ("consumer_id") REFERENCES "consumers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
