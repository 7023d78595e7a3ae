/**
 * Front door of events: the sink every producer records into, the scheduled upkeep (roll-ups,
 * retention), and the translation of a person's search into a store query.
 */
export { EventSink, type BatchWriter, type SinkOptions, type SinkStatus, type UnitResolver } from './sink.ts';
export { EventMaintenance, retentionPolicy, type MaintenanceOptions } from './maintenance.ts';
export { parseKind, parseTime, toQuery, type EventSearch, type UnitTreeView } from './search.ts';
export { registerEventMetrics } from './metrics.ts';
export { eventSchema, parseEventJson } from './schema.ts';
