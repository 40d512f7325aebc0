export { ALERT_KINDS, alertEventKey, DEFAULT_SEVERITY, emitAlertEvent, emitAlertEventSafely, type AlertEvent, type AlertKind, type AlertSeverity, type EmitContext } from "./events";
export { AlertChannelInput, deleteAlertChannel, listAlertChannels, maskUrl, parseAlertChannel, upsertAlertChannel, type AlertChannel } from "./channels";
export { deliverDueAlerts, listAlertHistory, retryDelayMs, type AlertHistoryEntry, type DeliverOptions, type DeliverResult } from "./deliver";
export { checkLatePartitions, checkStreamLag, DEFAULT_LAG_THRESHOLD, DEFAULT_LATE_AFTER_MINUTES, lagThresholdOf } from "./checks";
export { startAlertLoop, type AlertLoopOptions } from "./loop";
export { renderTemplate, TEMPLATE_FIELDS, templateProblems, type AlertPayload } from "./template";
