ALTER TABLE "job_deployments" ADD COLUMN "batch_script" text;--> statement-breakpoint
ALTER TABLE "job_deployments" ADD COLUMN "catalog" jsonb;--> statement-breakpoint
ALTER TABLE "job_deployments" ADD COLUMN "lineage" jsonb;