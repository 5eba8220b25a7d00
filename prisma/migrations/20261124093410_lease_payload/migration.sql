-- AlterTable
ALTER TABLE "leases" ADD COLUMN     "dispatched_at" TIMESTAMPTZ(3),
ADD COLUMN     "message_headers" JSONB,
ADD COLUMN     "message_key" TEXT,
ADD COLUMN     "message_value" TEXT,
ADD COLUMN     "topic" TEXT;
