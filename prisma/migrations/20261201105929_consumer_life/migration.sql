-- DropForeignKey
ALTER TABLE "leases" DROP CONSTRAINT "leases_consumer_id_fkey";

-- DropIndex
DROP INDEX "consumers_topic_key";

-- AlterTable
ALTER TABLE "consumers" ADD COLUMN     "active_topic" TEXT,
ADD COLUMN     "deregistered_at" TIMESTAMPTZ(3),
ADD COLUMN     "offline_since" TIMESTAMPTZ(3);

-- Data: OFFLINE was stored as the status, erasing what the consumer had declared. It
-- becomes liveness (offline since its last change) and the declared status FREE, which is what a
-- heartbeat restored before. Every existing consumer is registered, so it holds its topic.
UPDATE "consumers" SET "offline_since" = "updated_at", "status" = 'FREE' WHERE "status" = 'OFFLINE';
UPDATE "consumers" SET "active_topic" = "topic";

-- CreateIndex
CREATE UNIQUE INDEX "consumers_active_topic_key" ON "consumers"("active_topic");

-- CreateIndex
CREATE INDEX "leases_ended_at_idx" ON "leases"("ended_at");

-- AddForeignKey
ALTER TABLE "leases" ADD CONSTRAINT "leases_consumer_id_fkey" FOREIGN KEY ("consumer_id") REFERENCES "consumers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
