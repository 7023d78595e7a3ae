/** Global CLI options → loaded config. */
import { userInfo } from 'node:os';
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

/** The operating-system user running the command (what an audit trail on a shared box needs). */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** The CLI's name in histories and the audit log: `cli:<OS user>`. */
export function cliActor(): string {
  return `cli:${osUser()}`;
}
