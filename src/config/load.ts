/**
 * Loads the configuration once at start-up: optional minewarden.yaml, then MINEWARDEN_* variables
 * on top, validated by the schema and frozen. Callers receive the object; nothing reads the
 * environment or the file at import time.
 *
 * Environment keys: MINEWARDEN_DATA_DIR → dataDir, MINEWARDEN_LOG__LEVEL → log.level
 * (double underscore descends a level; single underscores become camelCase). Values are read as
 * YAML scalars, so `true`, `42` and `[a, b]` mean what they look like.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { MinewardenError } from '../core/errors.ts';
import { configSchema, type Config } from './schema.ts';

export const ENV_PREFIX = 'MINEWARDEN_';
/** Variables with the prefix that are not config keys. */
const RESERVED_ENV = new Set(['MINEWARDEN_CONFIG']);

export interface LoadOptions {
  /** Explicit file (--config); an error if it does not exist. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Where to look for minewarden.yaml when no file is named. */
  cwd?: string;
  /** Overrides applied last (CLI flags such as --data-dir). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, or null. */
  file: string | null;
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = obj[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) obj[key] = {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[path[path.length - 1] as string] = value;
}

function fromEnv(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; origin: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.has(name) || raw === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(camel);
    let value: unknown = raw;
    try {
      value = parseYaml(raw) as unknown;
    } catch {
      value = raw;
    }
    setPath(values, path, value);
    origin.set(path.join('.'), name);
  }
  return { values, origin };
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof b === 'object' && b !== null && !Array.isArray(b)) {
      out[k] = merge(b as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Turns zod issues into lines that name the key, what was expected, and where it came from. */
export function describeIssues(issues: z.core.$ZodIssue[], origin: Map<string, string>, file: string | null): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((k) => {
          const full = path ? `${path}.${k}` : k;
          const from = origin.get(full) ?? (file ? `in ${file}` : '');
          return `unknown key "${full}"${from ? ` (${from})` : ''}: not a Minewarden setting`;
        })
        .join('\n');
    }
    const from = origin.get(path) ?? (file ? `in ${file}` : '');
    return `"${path || '(root)'}"${from ? ` (${from})` : ''}: ${issue.message}`;
  });
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? {};
  const explicit = opts.file ?? env.MINEWARDEN_CONFIG;
  const candidate = explicit ?? `${opts.cwd ?? '.'}/minewarden.yaml`;
  let file: string | null = null;
  let fromFile: Record<string, unknown> = {};
  if (existsSync(candidate)) {
    file = candidate;
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(candidate, 'utf8'));
    } catch (e) {
      const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
      throw new MinewardenError('MW_ERR_CONFIG', `config file ${candidate} is not valid YAML${where}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new MinewardenError('MW_ERR_CONFIG', `config file ${candidate} must hold a mapping of settings`);
      }
      fromFile = parsed as Record<string, unknown>;
    }
  } else if (explicit !== undefined) {
    throw new MinewardenError('MW_ERR_CONFIG', `config file ${explicit} does not exist`);
  }
  const { values: envValues, origin } = fromEnv(env);
  const raw = merge(merge(fromFile, envValues), opts.overrides ?? {});
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = describeIssues(result.error.issues, origin, file);
    throw new MinewardenError('MW_ERR_CONFIG', `invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return { config: deepFreeze(result.data), file };
}
