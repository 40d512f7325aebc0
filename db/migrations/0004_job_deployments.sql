CREATE TABLE "job_deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"job_name" text NOT NULL,
	"version" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"stream_script" text,
	"sources" jsonb NOT NULL,
	"sinks" jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"rollback_of" integer,
	"deployed_by" text NOT NULL,
	"deployed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_deployments" ADD CONSTRAINT "job_deployments_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "job_deployments_project_job_version" ON "job_deployments" USING btree ("project_id","job_name","version");--> statement-breakpoint
CREATE INDEX "job_deployments_project_at" ON "job_deployments" USING btree ("project_id","deployed_at");