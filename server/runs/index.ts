export {
  createInstance, failWaiting, finishInstance, getInstance, instanceEventLog, listInstances, rerunInstance, startInstance, stopInstance,
  type BatchInstance, type CreateInstanceInput, type InstanceEvent, type InstanceOutcome, type InstanceRef, type InstanceTrigger,
  type ListInstancesInput, type RunMetrics,
} from "./instances";
export { listPartitions, markPartitionReady, missingPartitions, type PartitionRecord, type RegistryContext, type ReleasedInstance } from "./partitions";
export { allowedActions, FINISHED_STATES, INSTANCE_STATES, InvalidTransitionError, isFinished, parseState as parseInstanceState, transition, type InstanceAction, type InstanceState } from "./states";
export { executeInstance, scheduleInstance, senseUpstream, type RunnerDeps, type ScheduleInstanceInput } from "./runner";
export { dailyPartitions } from "./io";
export { cancelDay, markReady, rerunDay, type OperateResult } from "./operate";
