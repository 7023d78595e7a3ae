/** Global CLI options → loaded config. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/index.ts';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  logLevel?: string;
}

export function configFrom(cmd: Command): Config {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const overrides: Record<string, unknown> = {};
  if (g.dataDir !== undefined) overrides.dataDir = g.dataDir;
  if (g.logLevel !== undefined) overrides.log = { level: g.logLevel };
  return loadConfig({ ...(g.config !== undefined ? { file: g.config } : {}), env: process.env, cwd: process.cwd(), overrides }).config;
}
