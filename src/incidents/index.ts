/**
 * Front door of incidents: alerts folded per host and threat, campaigns across hosts sharing a
 * controller, and the analyst workflow over them.
 */
export { IncidentEngine, canTransition, type IncidentEngineOptions, type IngestReport } from './engine.ts';
export { FOLD_DEFAULTS, foldAlert, foldAlerts, combineConfidence, commonUnit, isOpen, type FoldOptions } from './fold.ts';
export { parseAlert } from './alert.ts';
