CREATE TABLE "temporal_buffered_events" (
	"run_id" text NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "temporal_buffered_events_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "temporal_executions" (
	"run_id" text PRIMARY KEY NOT NULL,
	"namespace" text NOT NULL,
	"workflow_id" text NOT NULL,
	"workflow_type" text NOT NULL,
	"task_queue" text NOT NULL,
	"status" integer NOT NULL,
	"start_time" timestamp with time zone NOT NULL,
	"close_time" timestamp with time zone,
	"history_length" integer NOT NULL,
	"runtime" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "temporal_history_events" (
	"run_id" text NOT NULL,
	"event_id" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "temporal_history_events_run_id_event_id_pk" PRIMARY KEY("run_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "temporal_namespaces" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"retention_days" integer DEFAULT 3 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "temporal_schedules" (
	"namespace" text NOT NULL,
	"schedule_id" text NOT NULL,
	"schedule" "bytea" NOT NULL,
	"memo" "bytea",
	"state" jsonb NOT NULL,
	CONSTRAINT "temporal_schedules_namespace_schedule_id_pk" PRIMARY KEY("namespace","schedule_id")
);
--> statement-breakpoint
CREATE INDEX "temporal_executions_workflow_idx" ON "temporal_executions" USING btree ("namespace","workflow_id");--> statement-breakpoint
CREATE INDEX "temporal_executions_status_idx" ON "temporal_executions" USING btree ("status");