-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'PRODUCER', 'CONSUMER');

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "pool" TEXT,
    "consumer_id" TEXT,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_token_hash_key" ON "api_keys"("token_hash");
