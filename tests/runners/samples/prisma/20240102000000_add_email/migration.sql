-- AlterTable
ALTER TABLE "users" ADD COLUMN "email" TEXT;

-- CreateIndex
CREATE INDEX "users_email_idx" ON "users"("email");
