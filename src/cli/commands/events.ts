/**
 * `minewarden events …`: search the events (query), top lists (top) and counts over time (counts).
 * Answered by the running server when there is one, else read from the data directory.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { callControl } from '../../api/index.ts';
import { withApp } from '../app.ts';
import { configFrom } from '../context.ts';
import { OPS, type IngestParams, type IngestResult } from '../ops.ts';
import { progress } from '../output.ts';
import type { StoredEvent } from '../../model/events.ts';
import type { EventSearch } from '../../events/index.ts';
import { parseBucket, parseGroup, runOp } from '../ops.ts';
import { json, table } from '../output.ts';

const QTYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY' };
const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

interface SearchOptions {
  kind: string;
  since?: string;
  until?: string;
  unit?: string;
  host?: string;
  site?: string;
  outcome?: string;
  category?: string;
  detector?: string;
  name?: string;
}

function withSearchOptions(c: Command): Command {
  return c
    .option('-k, --kind <kind>', 'dns, flow, http, tls, sinkhole or alert', 'dns')
    .option('--since <time>', 'from: 15m, 24h, 7d back, an ISO time or epoch ms', '24h')
    .option('--until <time>', 'to (exclusive), same forms (default: now)')
    .option('-u, --unit <id>', 'a unit and every unit below it')
    .option('--host <address>', 'one host: its address (with --site) or #id')
    .option('--site <key>', 'site key of --host')
    .option('--outcome <list>', 'dns: outcomes, comma-separated (blocked,monitored,…)')
    .option('--category <category>', 'dns: indicator category (mining-pool, botnet-c2, …)')
    .option('--detector <id>', 'alert: detector')
    .option('--name <name>', 'a name and everything under it (dns name, http host, tls sni)');
}

function search(o: SearchOptions): EventSearch {
  const s: EventSearch = { kind: o.kind };
  if (o.since !== undefined) s.since = o.since;
  if (o.until !== undefined) s.until = o.until;
  if (o.unit !== undefined) s.unit = o.unit;
  if (o.host !== undefined) s.host = o.host;
  if (o.site !== undefined) s.site = o.site;
  if (o.outcome !== undefined) s.outcome = o.outcome.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (o.category !== undefined) s.category = o.category;
  if (o.detector !== undefined) s.detector = o.detector;
  if (o.name !== undefined) s.name = o.name;
  return s;
}

function positive(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `${what} must be a whole number ≥ 0, not "${v}"`);
  return n;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function who(e: StoredEvent): string {
  return e.site === '' ? e.client : `${e.site}/${e.client}`;
}

/** One table row per event, with the columns a person reads for that kind. */
function row(e: StoredEvent): Record<string, string | number> {
  const base = { time: time(e.ts), host: who(e), unit: e.unit ?? '-' };
  switch (e.kind) {
    case 'dns':
      return { ...base, name: e.name, type: QTYPES[e.qtype] ?? String(e.qtype), rcode: RCODES[e.rcode] ?? String(e.rcode), outcome: e.outcome,
        category: e.category ?? '', indicator: e.indicator ?? '', ms: (e.latencyUs / 1000).toFixed(1) };
    case 'flow':
      return { ...base, from: `${e.src}:${e.srcPort}`, to: `${e.dst}:${e.dstPort}`, proto: e.proto === 6 ? 'tcp' : e.proto === 17 ? 'udp' : String(e.proto),
        out: `${e.bytesOut}B/${e.pktsOut}p`, in: `${e.bytesIn}B/${e.pktsIn}p`, state: e.tcpState ?? '', sensor: e.sensor };
    case 'http':
      return { ...base, method: e.method, url: `${e.host}${e.url}`, status: e.status, type: e.contentType ?? '', size: e.size, agent: e.userAgent ?? '' };
    case 'tls':
      return { ...base, server: `${e.server}:${e.serverPort}`, sni: e.sni ?? '', version: e.version ?? '', ja3: e.ja3 ?? '', ja4: e.ja4 ?? '' };
    case 'sinkhole':
      return { ...base, port: `${e.port}/${e.proto}`, name: e.name ?? '', said: (e.said ?? '').slice(0, 60) };
    case 'alert':
      return { ...base, severity: e.severity, detector: e.detector, title: e.title, indicator: e.indicator ?? '' };
  }
}

export function registerEvents(program: Command): void {
  const events = program.command('events').description('search what Minewarden has seen: DNS queries, flows, HTTP, TLS, sinkhole hits, alerts');
  registerEventImport(events);

  withSearchOptions(events.command('query'))
    .description('events newest first (a table, or JSON lines with --json)')
    .option('-n, --limit <n>', 'how many', '50')
    .option('--offset <n>', 'skip this many (paging)', '0')
    .option('--asc', 'oldest first')
    .option('--json', 'one JSON object per line')
    .action(async (o: SearchOptions & { limit: string; offset: string; asc?: boolean; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'events.query', {
        ...search(o), limit: positive(o.limit, '--limit'), offset: positive(o.offset, '--offset'), order: o.asc === true ? 'asc' : 'desc',
      });
      if (o.json === true) {
        for (const e of rows) process.stdout.write(`${JSON.stringify(e)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no events match\n');
        return;
      }
      table(rows.map(row));
    });

  withSearchOptions(events.command('top'))
    .description('the most frequent names, hosts, units, categories, destinations…')
    .requiredOption('-b, --by <field>', 'name, host, unit, category, indicator, outcome, dst or detector')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (o: SearchOptions & { by: string; limit: string; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'events.top', { ...search(o), by: parseGroup(o.by), n: positive(o.limit, '--limit') });
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        process.stdout.write('no events match\n');
        return;
      }
      table(rows.map((r, i) => ({ '#': i + 1, [o.by]: r.key, count: r.count, ...(o.kind === 'dns' ? { blocked: r.blocked } : {}) })));
    });

  withSearchOptions(events.command('counts'))
    .description('counts per minute, hour or day, optionally per unit, outcome or category')
    .option('--bucket <size>', 'minute, hour or day', 'hour')
    .option('-b, --by <field>', 'unit, outcome, category, …')
    .option('--json', 'print JSON')
    .action(async (o: SearchOptions & { bucket: string; by?: string; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'events.counts', {
        ...search(o), bucket: parseBucket(o.bucket), ...(o.by === undefined ? {} : { by: parseGroup(o.by) }),
      });
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        process.stdout.write('no events match\n');
        return;
      }
      table(rows.map((r) => ({ time: time(r.t), ...(o.by === undefined ? {} : { [o.by]: r.key ?? '-' }), count: r.count })));
    });
}

/** Reads JSON lines in chunks and hands each chunk to `send` (the server, or the local app). */
async function importLines(file: string, send: (p: IngestParams) => Promise<IngestResult>): Promise<{ lines: number; accepted: number; rejected: IngestResult['rejected']; rejectedCount: number }> {
  const stdin = file === '-';
  let input: NodeJS.ReadableStream;
  let size = 0;
  if (stdin) input = process.stdin;
  else {
    try {
      size = statSync(file).size;
    } catch (e) {
      throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    input = createReadStream(file);
  }
  const bar = progress('importing', size);
  let bytes = 0;
  let lineNo = 0;
  let chunk: string[] = [];
  let first = 1;
  let chunkBytes = 0;
  let accepted = 0;
  let rejectedCount = 0;
  const rejected: IngestResult['rejected'] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const r = await send({ lines: chunk, firstLine: first });
    accepted += r.accepted;
    rejectedCount += r.rejected.length;
    for (const x of r.rejected) if (rejected.length < 20) rejected.push(x);
    chunk = [];
    chunkBytes = 0;
    bar.update(bytes);
  };
  try {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      bytes += Buffer.byteLength(line) + 1;
      if (chunk.length === 0) first = lineNo;
      chunk.push(line);
      chunkBytes += line.length;
      if (chunk.length >= 5000 || chunkBytes >= 1_000_000) await flush();
    }
    await flush();
  } finally {
    bar.stop();
  }
  return { lines: lineNo, accepted, rejected, rejectedCount };
}

export function registerEventImport(events: Command): void {
  events
    .command('import <file>')
    .description('record events from a JSON-lines file (- for stdin), one event object per line (see README)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { json?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const running = (await callControl(config.dataDir, 'ping', {})).running;
      const report = running
        ? await importLines(file, async (p) => {
          const r = await callControl(config.dataDir, 'events.ingest', p);
          return (r as { result: IngestResult }).result;
        })
        : await withApp(cmd, async (app) => {
          const r = await importLines(file, (p) => OPS['events.ingest'](app, p));
          await app.sink.flush();
          return r;
        });
      if (o.json === true) return json(report);
      process.stdout.write(`${report.accepted.toLocaleString('en')} events recorded from ${report.lines.toLocaleString('en')} lines${running ? ' (by the running server)' : ''}\n`);
      if (report.rejectedCount > 0) {
        process.stdout.write(`${report.rejectedCount.toLocaleString('en')} lines skipped:\n`);
        for (const r of report.rejected) process.stdout.write(`  line ${r.line}: ${r.error}\n`);
        if (report.rejectedCount > report.rejected.length) process.stdout.write(`  … and ${report.rejectedCount - report.rejected.length} more\n`);
        if (report.accepted === 0) process.exitCode = 1;
      }
    });
}
