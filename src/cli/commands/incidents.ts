/**
 * `minewarden incidents …`: list, show, and move incidents through the workflow. Every command
 * goes through OPS, so it works on the running server and on a stopped data directory alike.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { parseTime } from '../../events/index.ts';
import type { Incident } from '../../model/detect.ts';
import type { IncidentChange, IncidentSummary } from '../../store/index.ts';
import { runOp } from '../ops.ts';
import { osUser } from '../context.ts';
import type { Move } from '../incident-ops.ts';
import { json, table } from '../output.ts';

/** Who does it: --as, else the OS user (what an audit trail on a shared console box needs). */
function actor(o: { as?: string }): string {
  return o.as !== undefined && o.as !== '' ? o.as : osUser();
}

const t = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

function hostsCell(i: IncidentSummary): string {
  const [h] = i.hosts;
  if (i.hosts.length !== 1 || h === undefined) return `${i.hosts.length} hosts`;
  return h.site === '' ? h.client : `${h.client}@${h.site}`;
}

/** A few evidence facts, short: the timeline is read by eye. */
function keyEvidence(e: Record<string, unknown>): string {
  const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  // Each value clipped on its own, so a long wallet does not hide the facts after it.
  return clip(Object.entries(e).slice(0, 4).map(([k, v]) => `${k}=${clip(typeof v === 'string' ? v : JSON.stringify(v), 24)}`).join(' '), 100);
}

function summaryLine(i: Incident): string {
  return `#${i.id} ${i.state}`;
}

function printIncident(i: Incident, history: readonly IncidentChange[]): void {
  const w = (s: string): boolean => process.stdout.write(`${s}\n`);
  w(`incident #${i.id}  ${i.kind}  ${i.title}`);
  w(`  state ${i.state}${i.assignee === null ? '' : `, assigned to ${i.assignee}`}  severity ${i.severity}  confidence ${i.confidence}  stage ${i.stage}`);
  w(`  threat ${i.threat}  unit ${i.unit ?? '-'}  controller ${i.controller ?? '-'}  indicator ${i.indicator ?? '-'}`);
  w(`  first ${t(i.firstSeen)}  last ${t(i.lastSeen)}  alerts ${i.alerts}${i.campaignId === null ? '' : `  campaign #${i.campaignId}`}`);
  w('');
  w(`hosts (${i.hosts.length}):`);
  table(i.hosts.map((h) => ({ address: h.client, site: h.site || '-', unit: h.unit ?? '-', first: t(h.firstSeen), last: t(h.lastSeen) })));
  w('');
  w(`timeline (${i.timeline.length}${i.timeline.length < i.alerts ? ` of ${i.alerts} alerts` : ''}):`);
  table(i.timeline.map((e) => ({ time: t(e.ts), host: e.client, detector: e.detector, stage: e.stage, title: e.title, evidence: keyEvidence(e.evidence) })));
  if (i.notes.length > 0) {
    w('');
    w('notes:');
    for (const n of i.notes) w(`  ${t(n.at)}  ${n.by}: ${n.text}`);
  }
  if (history.length > 0) {
    w('');
    w('history:');
    for (const h of history) w(`  ${t(h.at)}  ${h.by}: ${h.field} ${h.from ?? '-'} → ${h.to ?? '-'}`);
  }
}


export function registerIncidents(program: Command): void {
  const inc = program.command('incidents').description('incidents: alerts folded per host and threat, and campaigns across hosts');
  inc
    .command('list', { isDefault: true })
    .description('incidents, newest activity first')
    .option('--state <states>', 'new, acknowledged, contained, resolved, false-positive or open; comma-separated')
    .option('-u, --unit <id>', 'a unit and every unit below it')
    .option('--severity <level>', 'this severity or higher: info, low, medium, high, critical')
    .option('--since <time>', 'active since: 15m, 24h, 7d back, an ISO time')
    .option('--campaigns', 'only campaigns')
    .option('-n, --limit <n>', 'how many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print JSON')
    .action(async (o: { state?: string; unit?: string; severity?: string; since?: string; campaigns?: boolean; limit: string; offset: string; json?: boolean }, cmd: Command) => {
      const rows = await runOp(cmd, 'incidents.list', {
        ...(o.state === undefined ? {} : { state: o.state.split(',').map((s) => s.trim()).filter((s) => s !== '') }),
        ...(o.unit === undefined ? {} : { unit: o.unit }),
        ...(o.severity === undefined ? {} : { severity: o.severity }),
        ...(o.since === undefined ? {} : { since: parseTime(o.since, Date.now(), '--since') }),
        ...(o.campaigns === true ? { kind: 'campaign' as const } : {}),
        limit: Number(o.limit), offset: Number(o.offset),
      });
      if (o.json === true) return json(rows);
      if (rows.length === 0) {
        process.stdout.write('no incidents match\n');
        return;
      }
      table(rows.map((i) => ({
        id: `#${i.id}`, severity: i.severity, stage: i.stage, state: i.state, unit: i.unit ?? '-', hosts: hostsCell(i),
        threat: i.kind === 'campaign' ? i.title : `${i.threat} — ${i.title}`, first: t(i.firstSeen), last: t(i.lastSeen),
      })));
    });

  inc
    .command('show <id>')
    .description('one incident: hosts, evidence timeline, notes and history')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
      const r = await runOp(cmd, 'incidents.show', { id: Number(id.replace(/^#/, '')) });
      if (o.json === true) return json(r);
      printIncident(r.incident, r.history);
    });

  const moves: Array<[Move, string]> = [['ack', 'acknowledge: someone is on it'], ['contain', 'contained: the host is isolated or cleaned'], ['resolve', 'resolved: closed']];
  for (const [move, what] of moves) {
    inc
      .command(`${move} <id>`)
      .description(what)
      .option('--note <text>', 'why, for the record')
      .option('--as <name>', 'who does it (default: the OS user)')
      .action(async (id: string, o: { note?: string; as?: string }, cmd: Command) => {
        const i = await runOp(cmd, 'incidents.move', { id: Number(id.replace(/^#/, '')), move, actor: actor(o), ...(o.note === undefined ? {} : { note: o.note }) });
        process.stdout.write(`${summaryLine(i)}\n`);
      });
  }

  inc
    .command('fp <id>')
    .description('false positive: closes the incident; --allowlist also allowlists its indicator')
    .option('--allowlist', 'put the indicator on the allowlist')
    .option('--note <text>', 'why, for the record')
    .option('--as <name>', 'who does it (default: the OS user)')
    .action(async (id: string, o: { allowlist?: boolean; note?: string; as?: string }, cmd: Command) => {
      const i = await runOp(cmd, 'incidents.fp', {
        id: Number(id.replace(/^#/, '')), actor: actor(o), allowlist: o.allowlist === true, ...(o.note === undefined ? {} : { note: o.note }),
      });
      process.stdout.write(`${summaryLine(i)}${o.allowlist === true ? `; allowlisted ${i.indicator ?? ''}` : ''}\n`);
    });

  inc
    .command('reopen <id>')
    .description('reopen a resolved or false-positive incident (back to acknowledged)')
    .option('--note <text>', 'why, for the record')
    .option('--as <name>', 'who does it (default: the OS user)')
    .action(async (id: string, o: { note?: string; as?: string }, cmd: Command) => {
      const i = await runOp(cmd, 'incidents.reopen', { id: Number(id.replace(/^#/, '')), actor: actor(o), ...(o.note === undefined ? {} : { note: o.note }) });
      process.stdout.write(`${summaryLine(i)}\n`);
    });

  inc
    .command('note <id> <text...>')
    .description('add a note')
    .option('--as <name>', 'who writes it (default: the OS user)')
    .action(async (id: string, text: string[], o: { as?: string }, cmd: Command) => {
      const i = await runOp(cmd, 'incidents.note', { id: Number(id.replace(/^#/, '')), actor: actor(o), text: text.join(' ') });
      process.stdout.write(`#${i.id}: ${i.notes.length} note${i.notes.length === 1 ? '' : 's'}\n`);
    });

  inc
    .command('ingest <file>')
    .description('fold alerts from a file (a JSON list, or one alert per line) into incidents')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot read ${file}: ${e.code ?? String(e)}`);
      });
      let alerts: unknown[];
      try {
        alerts = text.trimStart().startsWith('[') ? (JSON.parse(text) as unknown[]) : text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
      } catch (e) {
        throw new MinewardenError('MW_ERR_BAD_INPUT', `${file}: not JSON (${(e as Error).message})`);
      }
      const r = await runOp(cmd, 'incidents.ingest', { alerts });
      process.stdout.write(`${r.alerts} alerts: ${r.created} incidents opened, ${r.updated} updated${r.campaigns.length === 0 ? '' : `, campaigns ${r.campaigns.map((c) => `#${c}`).join(' ')}`}\n`);
    });

  inc
    .command('assign <id> <who>')
    .description('assign to someone ("-" for nobody)')
    .option('--as <name>', 'who does it (default: the OS user)')
    .action(async (id: string, who: string, o: { as?: string }, cmd: Command) => {
      const i = await runOp(cmd, 'incidents.assign', { id: Number(id.replace(/^#/, '')), who: who === '-' ? null : who, actor: actor(o) });
      process.stdout.write(`#${i.id} assigned to ${i.assignee ?? 'nobody'}\n`);
    });
}
