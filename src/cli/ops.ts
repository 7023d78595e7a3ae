/**
 * Operations that a one-shot command runs either on the running server (through the control
 * socket) or, when none runs, on the data directory itself. One function per operation, over the
 * App, so both paths give the same answer.
 */
import { statSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MinewardenError } from '../core/errors.ts';
import { callControl, type ControlHandler } from '../api/index.ts';
import { parseEventJson, toQuery, type EventSearch } from '../events/index.ts';
import type { Bucket, EventGroup } from '../store/index.ts';
import type { Unit } from '../model/org.ts';
import type { FeedFormat } from '../model/indicator.ts';
import { lookup, type ImportReport, type LookupResult } from '../intel/index.ts';
import { describeSensors, type FileKind } from '../sensors/index.ts';
import { analyzeFiles } from './analyze.ts';
import type { App } from './app.ts';
import { withApp } from './app.ts';
import { INCIDENT_OPS } from './incident-ops.ts';
import { POLICY_OPS } from './policy-ops.ts';
import { REPORT_OPS } from './report-ops.ts';
import { AUTH_OPS } from './auth-ops.ts';
import { configFrom } from './context.ts';

export interface TopParams extends EventSearch {
  by: EventGroup;
  n: number;
}

export interface CountParams extends EventSearch {
  bucket: Bucket;
  by?: EventGroup;
}

export interface HostParams {
  unit?: string;
  search?: string;
  since?: number;
  limit?: number;
  offset?: number;
}

const GROUPS: readonly EventGroup[] = ['unit', 'outcome', 'category', 'name', 'host', 'indicator', 'dst', 'detector'];
const BUCKETS: readonly Bucket[] = ['minute', 'hour', 'day'];

export function parseGroup(v: string): EventGroup {
  if ((GROUPS as readonly string[]).includes(v)) return v as EventGroup;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot group by "${v}" (one of ${GROUPS.join(', ')})`);
}

export function parseBucket(v: string): Bucket {
  if ((BUCKETS as readonly string[]).includes(v)) return v as Bucket;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown bucket "${v}" (one of ${BUCKETS.join(', ')})`);
}

export interface IngestParams {
  lines: string[];
  /** Line number of lines[0] in the file (for error reports). */
  firstLine: number;
}

export interface IngestResult {
  accepted: number;
  rejected: Array<{ line: number; error: string }>;
}

export interface DbStats {
  dataDir: string;
  /** Whether a server was running (the figures then come from it). */
  server: boolean;
  files: Array<{ file: string; bytes: number }>;
  state: { indicators: number; units: number };
  events: Awaited<ReturnType<App['store']['events']['stats']>>;
  writer: ReturnType<App['store']['events']['status']>;
  sink: ReturnType<App['sink']['status']>;
}

function files(dataDir: string): Array<{ file: string; bytes: number }> {
  const out: Array<{ file: string; bytes: number }> = [];
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) walk(p, `${rel}${n}/`);
      else if (st.isFile()) out.push({ file: `${rel}${n}`, bytes: st.size });
    }
  };
  walk(dataDir, '');
  return out;
}

/** Where an operation runs: in the serving process (engine started), or on its own (one-shot). */
export type { Where } from './app.ts';
import type { Where } from './app.ts';

/** Reads a feed from a file (gzip allowed) or fetches it from a URL, as `intel import` does. */
export async function readSource(app: App, location: string, source: string): Promise<string> {
  if (/^https?:\/\//i.test(location)) {
    const res = await app.fetcher.fetch({ name: source.replace(/[^A-Za-z0-9._-]/g, '_'), location }, { force: true });
    if (res.status === 'fresh') return res.text;
    if (res.status === 'not-modified') throw new MinewardenError('MW_ERR_FEED', `${location}: not modified`);
    throw new MinewardenError('MW_ERR_FEED', res.error);
  }
  let buf: Buffer;
  try {
    buf = await readFile(location);
  } catch (e) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot read ${location}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return buf.toString('utf8');
}

export interface IntelImportParams {
  location: string;
  source: string;
  format: FeedFormat;
  category: string;
  family: string;
  confidence: number;
  /** Who imports it, for the audit log. */
  actor?: string;
}

/** The operations, by the method name the control socket uses. */
export const OPS = {
  'intel.stats': (app: App, _p: Record<string, never>) => app.store.intel.stats(),
  /** On a server the engine is running; on its own it loads the set first. */
  'intel.lookup': async (app: App, p: { values: string[] }, where: Where = 'local') => {
    if (where === 'local') {
      await app.engine.prepare();
      await app.engine.rebuild();
    }
    const out: LookupResult[] = [];
    for (const v of p.values) out.push(await lookup(app.engine, v));
    return out;
  },
  /** On a server the matcher is rebuilt at once, so the gateway blocks the new indicators. */
  'intel.import': async (app: App, p: IntelImportParams & { progress?: (line: number) => void; onStore?: (n: number) => void }, where: Where = 'local'): Promise<ImportReport> => {
    if (where === 'local') await app.engine.prepare();
    const text = await readSource(app, p.location, p.source);
    const report = await app.engine.importText({
      text, source: p.source, format: p.format, fileName: p.location, category: p.category, family: p.family, confidence: p.confidence,
      ...(p.progress === undefined ? {} : { onProgress: p.progress }),
      ...(p.onStore === undefined ? {} : { onStore: p.onStore }),
      rebuild: where === 'server',
    });
    await app.audit.record(p.actor ?? 'cli:unknown', 'intel.import', `source:${p.source}`, null, { location: p.location, format: p.format, category: p.category, stored: report.stored, added: report.added, removed: report.removed });
    return report;
  },
  'events.query': (app: App, p: EventSearch) => app.store.events.query(toQuery(p, app.org.tree(), Date.now())),
  'events.top': (app: App, p: TopParams) => app.store.events.top(toQuery(p, app.org.tree(), Date.now()), p.by, p.n),
  'events.counts': (app: App, p: CountParams) => app.store.events.counts(toQuery(p, app.org.tree(), Date.now()), p.bucket, p.by),
  'hosts.list': (app: App, p: HostParams) => {
    const tree = app.org.tree();
    if (p.unit !== undefined && tree.get(p.unit) === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${p.unit}"`);
    return app.store.events.hosts({
      ...(p.unit === undefined ? {} : { units: [...tree.subtreeIds(p.unit)] }),
      ...(p.search === undefined ? {} : { search: p.search }),
      ...(p.since === undefined ? {} : { since: p.since }),
      limit: p.limit ?? 100, offset: p.offset ?? 0,
    });
  },
  'db.stats': async (app: App, p: { server: boolean }): Promise<DbStats> => {
    await app.sink.flush();
    const events = await app.store.events.stats();
    const intel = await app.store.intel.stats();
    return {
      dataDir: resolve(app.config.dataDir), server: p.server, files: files(app.config.dataDir),
      state: { indicators: intel.total, units: app.org.tree().size },
      events, writer: app.store.events.status(), sink: app.sink.status(),
    };
  },
  /** JSON lines → events through the sink; a bad line is reported with its number and skipped. */
  'events.ingest': async (app: App, p: IngestParams): Promise<IngestResult> => {
    const out: IngestResult = { accepted: 0, rejected: [] };
    p.lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const r = parseEventJson(line);
      if (!r.ok) out.rejected.push({ line: p.firstLine + i, error: r.error });
      else {
        const before = app.sink.status().rejected;
        app.sink.record(r.event);
        const after = app.sink.status();
        if (after.rejected === before) out.accepted++;
        else out.rejected.push({ line: p.firstLine + i, error: after.lastRejection ?? 'refused' });
      }
    });
    await app.sink.drained();
    return out;
  },
  'units.list': (app: App, _p: Record<string, never>) => Promise.resolve([...app.org.tree().units()]),
  /** Replaces the tree; a running server maps events with the new tree from the next event on. */
  'units.replace': async (app: App, p: { units: Unit[]; actor?: string }) => {
    const before = app.org.tree().size;
    const r = await app.org.replace(p.units);
    await app.audit.record(p.actor ?? 'cli:unknown', 'units.replace', 'units', { units: before }, { units: p.units.length, ids: p.units.map((u) => u.id) });
    return r;
  },
  'units.explain': (app: App, p: { ips: string[]; site: string }) => Promise.resolve(p.ips.map((ip) => ({ ip, m: app.org.explain(ip, p.site) }))),
  'sensors.health': (app: App, _p: Record<string, never>) => Promise.resolve({
    running: app.sensors !== null,
    sensors: app.sensors?.health() ?? [],
    failed: app.sensors?.failed ?? [],
    configured: describeSensors(app.config.sensors),
  }),
  /**
   * Files read once into the store, with every detector watching (paths absolute: the server may
   * run elsewhere in the tree); the incidents they touched come back with them.
   */
  'sensors.read': async (app: App, p: { paths: string[]; kind?: FileKind; site?: string }) => {
    const r = await analyzeFiles(app, p.paths, { ...(p.kind === undefined ? {} : { kind: p.kind }), ...(p.site === undefined ? {} : { site: p.site }) });
    return { files: r.files, incidents: r.incidents.map((i) => ({ id: i.id, severity: i.severity, title: i.title, hosts: i.hosts.length })) };
  },
  ...INCIDENT_OPS,
  ...POLICY_OPS,
  ...REPORT_OPS,
  ...AUTH_OPS,
  backup: async (app: App, p: { dir: string }) => {
    await app.sink.flush();
    return app.store.backup(p.dir);
  },
} as const;

export type OpName = keyof typeof OPS;
type ParamsOf<K extends OpName> = Parameters<(typeof OPS)[K]>[1];
type ResultOf<K extends OpName> = Awaited<ReturnType<(typeof OPS)[K]>>;

/** The control socket's handlers for a running server. */
export function controlHandlers(app: App): Record<string, ControlHandler> {
  const out: Record<string, ControlHandler> = { ping: () => Promise.resolve({ pid: process.pid }) };
  for (const [name, fn] of Object.entries(OPS)) {
    // Params arrive as JSON from the socket; each operation validates what it reads (toQuery, parse*).
    out[name] = (params) => (fn as (a: App, p: unknown, w: Where) => Promise<unknown>)(app, name === 'db.stats' ? { server: true } : params, 'server');
  }
  return out;
}

/**
 * Runs an operation on the running server if there is one, else on the data directory.
 * Returns the result and where it ran.
 */
export async function runOp<K extends OpName>(cmd: Command, name: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
  const config = configFrom(cmd);
  const remote = await callControl(config.dataDir, name, params);
  if (remote.running) return remote.result as ResultOf<K>;
  return withApp(cmd, (app) => (OPS[name] as (a: App, p: ParamsOf<K>, w: Where) => Promise<ResultOf<K>>)(app, params, 'local'));
}
