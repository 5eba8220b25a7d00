-- CreateTable
CREATE TABLE "pool_samples" (
    "pool" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "interval_ms" INTEGER NOT NULL,
    "claims" INTEGER NOT NULL,
    "completions" INTEGER NOT NULL,
    "wait_p50_ms" DOUBLE PRECISION,
    "wait_p99_ms" DOUBLE PRECISION,
    "backlog" INTEGER NOT NULL,
    "waiting_producers" INTEGER NOT NULL,
    "dead_lettered" INTEGER NOT NULL,
    "free" INTEGER NOT NULL,
    "full" INTEGER NOT NULL,
    "busy" INTEGER NOT NULL,
    "draining" INTEGER NOT NULL,
    "offline" INTEGER NOT NULL,
    "in_flight" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,

    CONSTRAINT "pool_samples_pkey" PRIMARY KEY ("pool","at")
);

-- CreateIndex
CREATE INDEX "pool_samples_at_idx" ON "pool_samples"("at");
