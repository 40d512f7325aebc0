CREATE TABLE "stream_metric_samples" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"job" text NOT NULL,
	"version" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"rows_in" bigint NOT NULL,
	"rows_out" bigint NOT NULL,
	"lag" bigint,
	"lag_unit" text
);
--> statement-breakpoint
ALTER TABLE "stream_metric_samples" ADD CONSTRAINT "stream_metric_samples_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stream_metric_samples_job_at" ON "stream_metric_samples" USING btree ("project_id","job","at");