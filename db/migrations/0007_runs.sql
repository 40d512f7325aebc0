CREATE TABLE "batch_instances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"job_name" text NOT NULL,
	"bizdate" text NOT NULL,
	"deployment_version" integer NOT NULL,
	"state" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"trigger" text NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"waiting_for" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"metrics" jsonb,
	"error" text,
	"engine_job_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"instance_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempt" integer NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "table_partitions" (
	"project_id" uuid NOT NULL,
	"table_name" text NOT NULL,
	"partition" text NOT NULL,
	"rows" integer,
	"produced_by" uuid,
	"marked_by" text NOT NULL,
	"ready_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "table_partitions_project_id_table_name_partition_pk" PRIMARY KEY("project_id","table_name","partition")
);
--> statement-breakpoint
ALTER TABLE "batch_instances" ADD CONSTRAINT "batch_instances_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_events" ADD CONSTRAINT "instance_events_instance_id_batch_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."batch_instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_partitions" ADD CONSTRAINT "table_partitions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "table_partitions" ADD CONSTRAINT "table_partitions_produced_by_batch_instances_id_fk" FOREIGN KEY ("produced_by") REFERENCES "public"."batch_instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "batch_instances_job_bizdate" ON "batch_instances" USING btree ("project_id","job_name","bizdate");--> statement-breakpoint
CREATE INDEX "batch_instances_project_state" ON "batch_instances" USING btree ("project_id","state");--> statement-breakpoint
CREATE INDEX "instance_events_instance" ON "instance_events" USING btree ("instance_id","id");