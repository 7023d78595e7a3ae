/**
 * Front door of threat intelligence: what other capabilities may use.
 */
export { IntelEngine, type Hit, type ImportReport, type ImportRequest } from './engine.ts';
export { lookup, type LookupResult, type Verdict } from './lookup.ts';
export { decayPolicy, decayedScore, DEFAULT_LIFETIMES, type DecayPolicy } from './decay.ts';
export { PopularityGuard } from './guard.ts';
export { FeedFetcher } from './feeds/fetch.ts';
export { FeedManager, feedSource, type RefreshOutcome } from './feeds/manager.ts';
export { exportIndicators, type ExportFormat } from './export/index.ts';
export { IntelMatcher, type MatcherParts } from './matcher/index.ts';
export { PARSERS } from './parsers/index.ts';
export { SEED_POOLS, SEED_SOURCE } from './seed/index.ts';
export { normalizeValue, inferType } from './normalize.ts';
