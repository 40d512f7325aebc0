CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "physical_tables_project_kind";--> statement-breakpoint
ALTER TABLE "physical_tables" ADD COLUMN "partitioned" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "physical_tables" SET "partitioned" = ("spec" -> 'partition') IS NOT NULL;--> statement-breakpoint
CREATE INDEX "physical_tables_project_updated" ON "physical_tables" USING btree ("project_id","updated_at");--> statement-breakpoint
CREATE INDEX "physical_tables_name_trgm" ON "physical_tables" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "physical_tables_description_trgm" ON "physical_tables" USING gin ("description" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "physical_tables_project_kind" ON "physical_tables" USING btree ("project_id","kind","name");