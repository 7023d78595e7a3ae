/**
 * `minewarden intel …`: import, lookup, stats, feeds, export, allowlist and the review list.
 * One-shot commands open the store directly; they need the data directory not to be held by a
 * running `serve` (DuckDB allows one process), which the error says.
 */
import { createWriteStream } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { isoOrDash } from '../../core/time.ts';
import type { FeedFormat, Indicator, IndicatorType } from '../../model/indicator.ts';
import { exportIndicators, normalizeValue, type ExportFormat, type ImportReport } from '../../intel/index.ts';
import { withApp } from '../app.ts';
import { callControl } from '../../api/index.ts';
import { cliActor, configFrom } from '../context.ts';
import { OPS, readSource, runOp } from '../ops.ts';
import { json, progress, table } from '../output.ts';

const FORMATS: FeedFormat[] = ['auto', 'plain', 'hosts', 'adblock', 'rpz', 'csv', 'threatfox-json', 'misp', 'stix', 'otx', 'maltrail'];
const EXPORTS: ExportFormat[] = ['rpz', 'hosts', 'domains', 'stix'];

function printImport(r: ImportReport): void {
  const lines = [
    `source      ${r.source} (${r.format})`,
    `stored      ${r.stored} indicators (${r.added} new, ${r.removed} removed)`,
    `held        ${r.held} for review${r.held ? ' (see `minewarden intel review list`)' : ''}`,
    `rejected    ${r.rejected} lines`,
    `skipped     ${r.skipped}${r.skipped ? ` (${Object.entries(r.skippedReasons).map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''}`,
    `duplicates  ${r.duplicates}`,
  ];
  if (r.informational) lines.push(`not blocking ${r.informational} (informational records)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const i of r.issues.slice(0, 10)) process.stdout.write(`  line ${i.line}: ${i.error} — ${i.sample}\n`);
  if (r.rejected > 10) process.stdout.write(`  … and ${r.rejected - Math.min(10, r.issues.length)} more\n`);
}

function parseTyped(value: string): { type: IndicatorType; value: string } {
  const n = normalizeValue(value);
  if (!n.ok) throw new MinewardenError('MW_ERR_BAD_INPUT', n.error);
  return { type: n.type, value: n.value };
}

export function registerIntel(program: Command): void {
  const intel = program.command('intel').description('threat intelligence: indicators, feeds, allowlist, review');

  intel
    .command('import <fileOrUrl>')
    .description('import a feed file or URL as one source (re-importing replaces that source)')
    .option('-f, --format <format>', `one of ${FORMATS.join(', ')}`, 'auto')
    .option('--category <category>', 'category for entries that carry none (e.g. mining-pool, botnet-c2)', 'malware')
    .option('--family <family>', 'malware or pool family for entries that carry none', '')
    .option('--confidence <n>', 'confidence 0–100 for entries that carry none', '70')
    .option('--source <name>', 'source name (default: import:<file name>)')
    .option('--json', 'print the report as JSON')
    .action(async (location: string, o: { format: string; category: string; family: string; confidence: string; source?: string; json?: boolean }, cmd: Command) => {
      if (!FORMATS.includes(o.format as FeedFormat)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown format "${o.format}"; use one of ${FORMATS.join(', ')}`);
      const confidence = Number(o.confidence);
      if (!Number.isInteger(confidence) || confidence < 0 || confidence > 100) throw new MinewardenError('MW_ERR_BAD_INPUT', '--confidence must be a whole number from 0 to 100');
      const source = o.source ?? `import:${basename(location.split(/[?#]/)[0] ?? location)}`;
      // A running server imports it itself (and starts blocking at once); the path must be one it can read.
      const loc = /^https?:\/\//i.test(location) ? location : resolve(location);
      const params = { location: loc, source, format: o.format as FeedFormat, category: o.category, family: o.family, confidence, actor: cliActor() };
      const remote = await callControl(configFrom(cmd).dataDir, 'intel.import', params);
      let report: ImportReport;
      if (remote.running) report = remote.result as ImportReport;
      else {
        report = await withApp(cmd, async (app) => {
          const text = await readSource(app, loc, source);
          let total = 1;
          for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) total++;
          const bar = progress('importing', total);
          try {
            return await OPS['intel.import'](app, {
              ...params,
              progress: (line) => bar.update(line),
              onStore: (n) => {
                bar.stop();
                if (process.stderr.isTTY && n >= 10_000) process.stderr.write(`storing ${n.toLocaleString('en')} indicators…\n`);
              },
            }, 'local');
          } finally {
            bar.stop();
          }
        });
      }
      if (o.json) json(report);
      else printImport(report);
    });

  intel
    .command('lookup <values...>')
    .description('what matches a name, IP, ip:port, URL or hash, and why — or why not')
    .option('--json', 'print JSON')
    .action(async (values: string[], o: { json?: boolean }, cmd: Command) => {
      {
        const results = await runOp(cmd, 'intel.lookup', { values });
        if (o.json) return json(results);
        for (const r of results) {
          process.stdout.write(`${r.query}: ${r.verdict.toUpperCase()} — ${r.reason}\n`);
          for (const rec of r.records) {
            process.stdout.write(`  ${rec.source}: ${rec.type} ${rec.value} ${rec.category}${rec.family ? `/${rec.family}` : ''} conf ${rec.confidence} status ${rec.status} first ${isoOrDash(rec.firstSeen)} last ${isoOrDash(rec.lastSeen)}${rec.validUntil ? ` until ${isoOrDash(rec.validUntil)}` : ''}${rec.reference ? ` ref ${rec.reference}` : ''}\n`);
          }
        }
        if (results.some((r) => r.verdict === 'invalid')) process.exitCode = 1;
      }
    });

  intel
    .command('stats')
    .description('indicator counts by status, type, category and source')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      {
        const s = await runOp(cmd, 'intel.stats', {});
        if (o.json) return json(s);
        process.stdout.write(`${s.total} indicators stored\n`);
        for (const [title, m] of [['status', s.byStatus], ['type', s.byType], ['category', s.byCategory], ['source', s.bySource]] as const) {
          process.stdout.write(`\nby ${title}:\n`);
          for (const [k, v] of Object.entries(m)) process.stdout.write(`  ${k.padEnd(28)} ${String(v).padStart(9)}\n`);
        }
      }
    });

  const feeds = intel.command('feeds').description('configured feeds and their status');
  feeds
    .command('list', { isDefault: true })
    .description('status of every configured feed')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withApp(cmd, async (app) => {
        const rows = [];
        for (const f of app.config.intel.feeds) {
          const s = await app.store.intel.getFeedStatus(f.name);
          rows.push({ name: f.name, enabled: f.enabled ? 'yes' : 'no', format: f.format, entries: s?.entries ?? 0, rejected: s?.rejectedLines ?? 0, held: s?.heldForReview ?? 0, lastSuccess: isoOrDash(s?.lastSuccess ?? 0), lastError: s?.lastError ?? '', url: f.url });
        }
        if (o.json) return json(rows);
        if (rows.length === 0) process.stdout.write('no feeds configured (add them under intel.feeds in minewarden.yaml)\n');
        else table(rows.map(({ url: _url, ...r }) => r));
      });
    });
  feeds
    .command('refresh [names...]')
    .description('fetch configured feeds now (conditional GET unless --force)')
    .option('--force', 'ignore ETag / Last-Modified')
    .action(async (names: string[], o: { force?: boolean }, cmd: Command) => {
      await withApp(cmd, async (app) => {
        await app.engine.prepare();
        const outcomes = await app.feeds.refreshAll({ force: o.force ?? false, ...(names.length ? { names } : {}) });
        if (outcomes.length === 0) process.stdout.write('no enabled feed matched\n');
        table(outcomes.map((x) => ({ feed: x.feed, result: x.result, entries: x.report?.stored ?? '', rejected: x.report?.rejected ?? '', error: x.error ?? '' })));
        if (outcomes.some((x) => x.result === 'failed')) process.exitCode = 1;
      });
    });

  intel
    .command('export')
    .description('write the active set for BIND, Unbound or a firewall')
    .requiredOption('-f, --format <format>', EXPORTS.join(', '))
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('--zone <name>', 'RPZ zone name', 'rpz.minewarden')
    .action(async (o: { format: string; output?: string; zone: string }, cmd: Command) => {
      if (!EXPORTS.includes(o.format as ExportFormat)) throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown export format "${o.format}"; use one of ${EXPORTS.join(', ')}`);
      await withApp(cmd, async (app) => {
        await app.engine.prepare();
        await app.engine.rebuild();
        const now = app.engine.now();
        const m = app.engine.matcher;
        const engine = app.engine;
        function* active(): Generator<Indicator> {
          for (let id = 0; id < m.size; id++) {
            const e = m.entry(id);
            if (e.expiresAt !== 0 && e.expiresAt <= now) continue;
            if (e.type === 'domain' ? engine.matchDomain(e.value, now) < 0 : e.type === 'ip' ? engine.matchIp(e.value, now) < 0 : false) continue;
            yield { type: e.type, value: e.value, category: e.category, family: e.family, source: e.source, confidence: e.confidence, firstSeen: 0, lastSeen: 0, validUntil: e.expiresAt, tags: [], reference: '' };
          }
        }
        const chunks = exportIndicators(active(), o.format as ExportFormat, { zoneName: o.zone, now });
        if (o.output) {
          await pipeline(Readable.from(chunks), createWriteStream(o.output));
        } else {
          for (const chunk of chunks) {
            if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
          }
        }
      });
    });

  const allow = intel.command('allow').description('the allowlist: names and addresses never blocked');
  allow
    .command('list', { isDefault: true })
    .description('list allowlist entries')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      await withApp(cmd, async (app) => {
        const rows = await app.store.intel.listAllow();
        if (o.json) return json(rows);
        if (rows.length === 0) process.stdout.write('the allowlist is empty\n');
        else table(rows.map((r) => ({ type: r.type, value: r.value, comment: r.comment, added: isoOrDash(r.addedAt) })));
      });
    });
  allow
    .command('add <value>')
    .description('allow a domain (and its subdomains), IP, CIDR or URL')
    .option('--comment <text>', 'why', '')
    .action(async (value: string, o: { comment: string }, cmd: Command) => {
      const t = parseTyped(value);
      await withApp(cmd, async (app) => {
        const entry = { ...t, comment: o.comment, addedAt: app.engine.now() };
        await app.engine.addAllow(entry);
        await app.audit.record(cliActor(), 'allowlist.add', `${t.type}:${t.value}`, null, entry);
        process.stdout.write(`allowed ${t.type} ${t.value}\n`);
      });
    });
  allow
    .command('remove <value>')
    .description('remove an allowlist entry')
    .action(async (value: string, _o: unknown, cmd: Command) => {
      const t = parseTyped(value);
      await withApp(cmd, async (app) => {
        const removed = await app.engine.removeAllow(t.type, t.value);
        if (!removed) throw new MinewardenError('MW_ERR_NOT_FOUND', `${t.value} is not on the allowlist`);
        await app.audit.record(cliActor(), 'allowlist.remove', `${t.type}:${t.value}`, t, null);
        process.stdout.write(`removed ${t.type} ${t.value}\n`);
      });
    });

  const review = intel.command('review').description('indicators held back because they would block something popular');
  review
    .command('list', { isDefault: true })
    .description('list held indicators')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(async (o: { limit: string; json?: boolean }, cmd: Command) => {
      await withApp(cmd, async (app) => {
        const rows = await app.store.intel.query({ status: 'held', limit: Number(o.limit) || 100 });
        if (o.json) return json(rows);
        if (rows.length === 0) process.stdout.write('nothing is held for review\n');
        else table(rows.map((r) => ({ type: r.type, value: r.value, source: r.source, category: r.category, reason: r.holdReason })));
      });
    });
  review
    .command('release <value>')
    .description('release a held indicator so that it matches (and is not held again)')
    .action(async (value: string, _o: unknown, cmd: Command) => {
      const t = parseTyped(value);
      await withApp(cmd, async (app) => {
        await app.engine.prepare();
        const n = await app.engine.release(t.type, t.value);
        await app.audit.record(cliActor(), 'intel.release', `${t.type}:${t.value}`, n > 0 ? 'held' : null, 'released');
        process.stdout.write(n > 0 ? `released ${t.value} (${n} record${n > 1 ? 's' : ''})\n` : `${t.value} was not held; it will not be held in future\n`);
      });
    });
}
