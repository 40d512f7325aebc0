CREATE TABLE "quality_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"table_name" text NOT NULL,
	"partition" text NOT NULL,
	"rule_name" text NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"passed" boolean NOT NULL,
	"observed" jsonb NOT NULL,
	"message" text NOT NULL,
	"query" text NOT NULL,
	"instance_id" uuid,
	"job" text,
	"evaluated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "quality_results" ADD CONSTRAINT "quality_results_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quality_results" ADD CONSTRAINT "quality_results_instance_id_batch_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."batch_instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "quality_results_table_partition" ON "quality_results" USING btree ("project_id","table_name","partition","id");--> statement-breakpoint
CREATE INDEX "quality_results_job" ON "quality_results" USING btree ("project_id","job","id");