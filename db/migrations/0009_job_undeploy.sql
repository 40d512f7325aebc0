ALTER TABLE "job_deployments" ADD COLUMN "undeployed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_deployments" ADD COLUMN "undeployed_by" text;