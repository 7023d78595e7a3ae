/** Front door of the built-in seed: the curated mining-pool list and its source name. */
export { SEED_POOLS, SEED_SOURCE } from './pools.ts';
export type { SeedCategory, SeedEntry } from './pools.ts';
