-- AlterEnum
ALTER TYPE "LeaseState" ADD VALUE 'FAILED';

-- AlterTable
ALTER TABLE "leases" ADD COLUMN     "end_reason" TEXT,
ADD COLUMN     "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "next_lease_id" UUID;

-- CreateIndex
CREATE INDEX "leases_pool_state_ended_at_idx" ON "leases"("pool", "state", "ended_at");
