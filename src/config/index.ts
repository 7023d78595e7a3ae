export { configSchema, feedSchema, type Config, type ConfigInput, type DnsConfig, type FeedConfig, type SensorsConfig, type ApiConfig } from './schema.ts';
export { loadConfig, ENV_PREFIX, type LoadOptions, type LoadedConfig } from './load.ts';
