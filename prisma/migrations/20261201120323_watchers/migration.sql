-- CreateTable
CREATE TABLE "watchers" (
    "replica_id" TEXT NOT NULL,
    "pool" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "watchers_pkey" PRIMARY KEY ("replica_id","pool")
);

-- CreateIndex
CREATE INDEX "watchers_pool_idx" ON "watchers"("pool");
