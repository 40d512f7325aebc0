export { Bizdate, bizdateFor, bizdateRange, type BizdateSettings } from "./bizdate";
export { partitionKey, partitionKeyText, partitionValue, type PartitionKey } from "./partitions";
export {
  DependencyCycleError, dependencyOrder, downstreamOf, jobEdges, upstreamPartitions,
  type JobEdge, type ManualEdge, type ScheduledJob,
} from "./dependencies";
export { backfillPlan, MAX_BACKFILL_DAYS, type BackfillRequest, type BackfillStep } from "./backfill";
