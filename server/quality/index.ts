export { checkPartition, describeFailures, hasReconcileRules, reconcile, streamFinalForDay, type CheckOutcome, type PartitionCheck, type QualityDeps } from "./checks";
export { evaluatePartition, freshnessDeadline, scanQuery, type EvaluateInput, type RuleResult } from "./evaluate";
export { reconcileDay, reconcileQuery } from "./reconcile";
export { QualityRule, RULE_KINDS, SEVERITIES, Severity, type QualityRuleParsed, type RuleKind } from "./schema";
export {
  deleteRule, listQualityResults, listRules, onQualityResults, recordResults, upsertRule,
  type ListResultsInput, type QualityListener, type QualityResultRecord, type ResultScope,
} from "./store";
export { validateQualityRules } from "./validate";
export { listPartitionQuality, producerJob, type PartitionQuality, type PartitionResult } from "./partitions";
