export { healthScore, RISK_PENALTY, sortFindings, type FindingTarget, type HealthFinding, type Risk } from "./score";
export {
  DEFAULT_HEALTH_SOURCES, eventsSource, instancesSource, NO_CHECKPOINT_AFTER_MS, qualitySource, reconciliationSource, streamSource,
  type HealthInput, type HealthSource,
} from "./sources";
export { jobHealth, projectHealth, type HealthOptions, type JobHealth } from "./gather";
