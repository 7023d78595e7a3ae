/** Front door of the in-memory intel matcher. */
export { IntelMatcher, IntelMatcherBuilder } from './matcher.ts';
export type { MatcherEntry, MatcherEntryInput, MatchHow, RejectedSample } from './types.ts';
