/**
 * The verdict report of `minewarden analyze`: text for a terminal, JSON for scripts, and one
 * self-contained HTML page to hand on.
 */
import type { Incident, TimelineEntry } from '../model/detect.ts';
import type { AnalysisResult } from './analyze.ts';

const t = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The few evidence facts an analyst reads first. */
function keyFacts(e: Record<string, unknown>): string {
  const keys = ['coin', 'wallet', 'worker', 'agent', 'algorithm', 'pool', 'url', 'category', 'ports', 'hosts', 'score', 'halfOpen', 'seen'];
  const out: string[] = [];
  for (const k of keys) {
    const v = e[k];
    if (v === undefined || v === null || v === '') continue;
    out.push(`${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return out.join(' ');
}

function hostsLine(i: Incident): string {
  if (i.hosts.length === 1) return `${i.hosts[0]!.client}${i.hosts[0]!.site === '' ? '' : ` @${i.hosts[0]!.site}`}`;
  const shown = i.hosts.slice(0, 12).map((h) => h.client).join(', ');
  return `${i.hosts.length} hosts: ${shown}${i.hosts.length > 12 ? ', …' : ''}`;
}

/** The timeline without repeats of one detector's same title (a thousand reconnects are one line). */
function condensed(timeline: readonly TimelineEntry[], max: number): Array<TimelineEntry & { times: number }> {
  const out: Array<TimelineEntry & { times: number }> = [];
  const seen = new Map<string, TimelineEntry & { times: number }>();
  for (const e of timeline) {
    const k = `${e.client}|${e.detector}|${e.title}`;
    const prev = seen.get(k);
    if (prev !== undefined) {
      prev.times++;
      continue;
    }
    const x = { ...e, times: 1 };
    seen.set(k, x);
    out.push(x);
  }
  return out.slice(0, max);
}

export function textReport(r: AnalysisResult): string {
  const lines: string[] = [];
  lines.push(`Read ${r.files.length} input(s):`);
  for (const f of r.files) lines.push(`  ${f.kind.padEnd(8)} ${f.path}: ${f.health.events} events, ${f.health.errors} skipped`);
  if (r.span !== null) lines.push(`Span: ${t(r.span.from)} → ${t(r.span.to)} UTC`);
  lines.push('');
  if (r.incidents.length === 0) {
    lines.push('Verdict: no incident. Nothing matched the intelligence or the detectors.');
    return `${lines.join('\n')}\n`;
  }
  const hosts = new Set(r.incidents.flatMap((i) => i.hosts.map((h) => `${h.site}|${h.client}`)));
  lines.push(`Verdict: ${r.incidents.length} incident(s) on ${hosts.size} host(s).`);
  for (const i of r.incidents) {
    lines.push('');
    lines.push(`#${i.id} [${i.severity.toUpperCase()}] ${i.title}`);
    lines.push(`   ${i.kind === 'campaign' ? 'campaign' : 'host'}: ${hostsLine(i)}${i.unit === null ? '' : `  unit: ${i.unit}`}`);
    lines.push(`   stage: ${i.stage}  confidence: ${Math.round(i.confidence)}  threat: ${i.threat}${i.controller === null ? '' : `  controller: ${i.controller}`}`);
    lines.push(`   seen: ${t(i.firstSeen)} → ${t(i.lastSeen)} UTC, ${i.alerts} alert(s)`);
    for (const e of condensed(i.timeline, 8)) {
      const facts = keyFacts(e.evidence);
      lines.push(`   ${t(e.ts)}  ${e.client.padEnd(15)} ${e.detector.padEnd(16)} ${e.title}${e.times > 1 ? ` (×${e.times})` : ''}${facts === '' ? '' : `\n${' '.repeat(39)}${facts}`}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function htmlReport(r: AnalysisResult): string {
  const sev: Record<string, string> = { critical: '#7f1d1d', high: '#b91c1c', medium: '#b45309', low: '#1d4ed8', info: '#4b5563' };
  const incidents = r.incidents.map((i) => `
  <section class="incident">
    <h2><span class="sev" style="background:${sev[i.severity] ?? '#444'}">${esc(i.severity)}</span> #${i.id} ${esc(i.title)}</h2>
    <p><b>${i.kind === 'campaign' ? 'Campaign' : 'Host'}:</b> ${esc(hostsLine(i))}${i.unit === null ? '' : ` · <b>unit</b> ${esc(i.unit)}`}
      · <b>stage</b> ${esc(i.stage)} · <b>confidence</b> ${Math.round(i.confidence)} · <b>seen</b> ${esc(t(i.firstSeen))} → ${esc(t(i.lastSeen))} UTC</p>
    <table><thead><tr><th>time (UTC)</th><th>host</th><th>detector</th><th>what</th><th>evidence</th></tr></thead><tbody>
    ${condensed(i.timeline, 50).map((e) => `<tr><td>${esc(t(e.ts))}</td><td>${esc(e.client)}</td><td>${esc(e.detector)}</td><td>${esc(e.title)}${e.times > 1 ? ` (×${e.times})` : ''}</td><td>${esc(keyFacts(e.evidence))}</td></tr>`).join('\n    ')}
    </tbody></table>
  </section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Minewarden analysis</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;margin:.2rem 0}
.sev{color:#fff;border-radius:4px;padding:1px 6px;font-size:.8rem;text-transform:uppercase}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
.incident{border-left:4px solid #ddd;padding-left:1rem;margin-bottom:1rem}.files td{font-family:ui-monospace,monospace}
</style></head><body>
<h1>Minewarden analysis — ${r.incidents.length === 0 ? 'no incident' : `${r.incidents.length} incident(s)`}</h1>
<table class="files"><thead><tr><th>input</th><th>type</th><th>events</th><th>skipped</th></tr></thead><tbody>
${r.files.map((f) => `<tr><td>${esc(f.path)}</td><td>${esc(f.kind)}</td><td>${f.health.events}</td><td>${f.health.errors}</td></tr>`).join('\n')}
</tbody></table>
${r.span === null ? '' : `<p>Span: ${esc(t(r.span.from))} → ${esc(t(r.span.to))} UTC</p>`}
${incidents}
</body></html>
`;
}
