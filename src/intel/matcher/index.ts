/** Front door of the in-memory intel matcher. */
export { IntelMatcher, IntelMatcherBuilder } from './matcher.ts';
export type { MatcherEntry, MatcherEntryInput, MatcherParts, MatchHow, RejectedSample } from './types.ts';
export { buildInWorker } from './worker-build.ts';
export type { WorkerBuildOptions } from './worker-build.ts';
