-- DropIndex
DROP INDEX "jobs_pool_state_rank_sort_key_idx";

-- CreateIndex
CREATE INDEX "jobs_pool_state_rank_sort_key_submitted_at_id_idx" ON "jobs"("pool", "state", "rank" DESC, "sort_key", "submitted_at", "id");
