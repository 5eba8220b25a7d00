-- AlterTable
ALTER TABLE "consumers" ADD COLUMN     "false_offlines" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "offline_verdicts" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "replicas" ADD COLUMN     "lag_ms" INTEGER NOT NULL DEFAULT 0;
