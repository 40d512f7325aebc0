export {
  createInstance, failWaiting, markInstanceSucceeded, noteInstance, finishInstance, getInstance, instanceEventLog, listInstances, rerunInstance, startInstance, stopInstance,
  type BatchInstance, type CreateInstanceInput, type InstanceEvent, type InstanceOutcome, type InstanceRef, type InstanceTrigger,
  type ListInstancesInput, type RunMetrics,
} from "./instances";
export { listPartitions, markPartitionReady, missingPartitions, type PartitionRecord, type RegistryContext, type ReleasedInstance } from "./partitions";
export { allowedActions, FINISHED_STATES, INSTANCE_STATES, InvalidTransitionError, isFinished, parseState as parseInstanceState, transition, type InstanceAction, type InstanceState } from "./states";
export { executeInstance, scheduleInstance, senseUpstream, senseUpstreamFiles, type RunnerDeps, type ScheduleInstanceInput } from "./runner";
export { dailyPartitions } from "./io";
export {
  backfillStatus, cancelBackfill, cancelDay, instanceUpstream, markReady, markSuccess, previewBackfill, rerunDay, startBackfill,
  type BackfillRequest, type OperateResult, type UpstreamPartition,
} from "./operate";
export { planBackfill, prepareBackfillDay, type BackfillDay } from "./backfill";
