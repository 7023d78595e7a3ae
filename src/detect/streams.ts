/**
 * Stream detectors: they see each event, payload line or file as it arrives.
 *  - mining-protocol: JSON-RPC lines of a flow (pcap payloads) through a MiningSession, and
 *    sinkhole connections that logged in (a blocked miner that tried its pool anyway);
 *  - mining-shape: flows that look like mining without a readable payload (TLS, Stratum v2);
 *  - suricata: a Suricata alert becomes an alert on the kill chain;
 *  - http-file: a program (MZ / ELF / script magic, executable MIME type) fetched over HTTP.
 * Every mining signal has the threat `mining`, so a host's pool lookup, login and shares fold
 * into one incident.
 */
import type { Alert } from '../model/detect.ts';
import { scoreMiningShape } from './mining/shape.ts';
import { MiningSession, toAlert } from './mining/session.ts';
import { stageOf } from './stage.ts';
import type { FileLine, StreamDetector } from './types.ts';

const MAX_SESSIONS = 50_000;
const key = (f: { src: string; srcPort: number; dst: string; dstPort: number }): string => `${f.src}|${f.srcPort}|${f.dst}|${f.dstPort}`;

export const miningProtocol: StreamDetector = {
  id: 'mining-protocol',
  title: 'Mining protocol (Stratum, XMRig, Ethereum, getwork) in a payload or at the sinkhole',
  mode: 'stream',
  inputs: ['payload', 'sinkhole'],
  params: { minConfidence: { default: 50, help: 'session confidence (0–100) to report' } },
  create(p, ctx) {
    const sessions = new Map<string, { s: MiningSession; flow: { src: string; srcPort: number; dst: string; dstPort: number }; reported: number }>();
    const report = (k: string): void => {
      const x = sessions.get(k)!;
      const v = x.s.verdict();
      if (v === null || v.confidence < p['minConfidence']! || v.confidence <= x.reported) return;
      x.reported = v.confidence;
      const site = '';
      const a = toAlert(v, { client: x.flow.src, site, unit: ctx.unitOf(x.flow.src, site) }, x.flow);
      const names = ctx.namesFor(x.flow.src, x.flow.dst);
      ctx.emit({
        ...a, threat: 'mining',
        evidence: { ...a.evidence, pool: names[0] ?? null },
        title: names.length > 0 ? `${a.title} (${names[0]})` : a.title,
        events: [{ kind: 'flow', ts: v.firstTs, client: x.flow.src, site }],
      });
    };
    return {
      payload(line) {
        const k = key(line.flow);
        let x = sessions.get(k);
        if (x === undefined) {
          if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
          x = { s: new MiningSession(), flow: line.flow, reported: 0 };
          sessions.set(k, x);
        }
        x.s.add({ ts: line.ts, fromClient: line.fromClient, text: line.text });
      },
      event(ev) {
        if (ev.kind !== 'sinkhole' || ev.said === undefined || ev.said === null || !/login|authorize|wallet|agent/i.test(ev.said)) return;
        ctx.emit({
          detector: 'mining-protocol', ts: ev.ts, client: ev.client, site: ev.site ?? '', unit: ev.unit ?? null, severity: 'high', confidence: 90,
          stage: 'mining', threat: 'mining', controller: ev.name ?? null, indicator: ev.name ?? null,
          title: `miner logged in at the sinkhole${ev.name ? ` for ${ev.name}` : ''} (port ${ev.port})`,
          evidence: { said: ev.said, port: ev.port, name: ev.name ?? null },
          events: [{ kind: 'sinkhole', ts: ev.ts, client: ev.client, site: ev.site ?? '' }],
        });
      },
      flush() {
        for (const k of sessions.keys()) report(k);
      },
    };
  },
};

export const miningShape: StreamDetector = {
  id: 'mining-shape',
  title: 'Mining-shaped session without a readable payload',
  mode: 'stream',
  inputs: ['flow'],
  params: { threshold: { default: 70, help: 'shape score (0–100) to report' } },
  create(p, ctx) {
    return {
      event(ev) {
        if (ev.kind !== 'flow' || ev.proto !== 6) return;
        const [ext, port] = ev.client === ev.src ? [ev.dst, ev.dstPort] : [ev.src, ev.srcPort];
        const listed = ctx.intel.ip(ext);
        const names = ctx.namesFor(ev.client, ext);
        const s = scoreMiningShape(ev, { names, knownPool: listed !== null && stageOf(listed.category) === 'mining' });
        if (s.score < p['threshold']!) return;
        ctx.emit({
          detector: 'mining-shape', ts: ev.ts, client: ev.client, site: ev.site ?? '', unit: ev.unit ?? null, severity: 'medium', confidence: s.score,
          stage: 'mining', threat: 'mining', controller: `${ext}:${port}`, indicator: names[0] ?? ext,
          title: `mining-shaped session to ${names[0] ?? ext}:${port} (score ${s.score})`,
          evidence: { score: s.score, reasons: s.evidence },
          events: [{ kind: 'flow', ts: ev.ts, client: ev.client, site: ev.site ?? '' }],
        });
      },
    };
  },
};

const SURICATA_SEVERITY: Record<string, Alert['severity']> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', info: 'info' };

export const suricata: StreamDetector = {
  id: 'suricata',
  title: 'Suricata alerts on the kill chain',
  mode: 'stream',
  inputs: ['alert'],
  params: {},
  create(_p, ctx) {
    return {
      event(ev) {
        if (ev.kind !== 'alert' || !ev.detector.startsWith('suricata:')) return;
        const category = typeof ev.evidence['category'] === 'string' ? ev.evidence['category'] : '';
        const stage = stageOf(`${category} ${ev.title}`);
        const dst = ev.indicator ?? '';
        ctx.emit({
          detector: ev.detector, ts: ev.ts, client: ev.client, site: ev.site ?? '', unit: ev.unit ?? null,
          severity: SURICATA_SEVERITY[ev.severity] ?? 'medium', confidence: 70, stage, threat: stage === 'mining' ? 'mining' : `ids:${dst || ev.detector}`,
          controller: stage === 'command-and-control' ? dst : null, indicator: ev.indicator ?? null, title: ev.title, evidence: ev.evidence,
          events: [{ kind: 'alert', ts: ev.ts, client: ev.client, site: ev.site ?? '' }],
        });
      },
    };
  },
};

/** Programs by their first bytes (MZ, ELF, Mach-O, shebang) or MIME type. */
export function executableKind(f: Pick<FileLine, 'head' | 'mime' | 'url'>): string | null {
  const h = f.head;
  if (h !== null && h.length >= 2) {
    if (h[0] === 0x4d && h[1] === 0x5a) return 'PE (MZ)';
    if (h.length >= 4 && h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46) return 'ELF';
    if (h.length >= 4 && h[0] === 0xcf && h[1] === 0xfa && h[2] === 0xed && h[3] === 0xfe) return 'Mach-O';
    if (h[0] === 0x23 && h[1] === 0x21) return 'script (#!)';
  }
  const m = (f.mime ?? '').toLowerCase();
  if (/x-dosexec|x-msdownload|x-executable|x-elf|x-sharedlib|x-mach-binary/.test(m)) return m;
  if (/\.(exe|dll|scr|msi|ps1|sh|elf)(\?|$)/i.test(f.url ?? '')) return 'program by name';
  return null;
}

export const httpFile: StreamDetector = {
  id: 'http-file',
  title: 'Programs fetched over HTTP (by magic number or type)',
  mode: 'stream',
  inputs: ['file'],
  params: {},
  create(_p, ctx) {
    return {
      file(f) {
        const kind = executableKind(f);
        if (kind === null) return;
        const server = f.server ?? f.host ?? 'unknown';
        const bare = f.host === null || /^[\d.]+(:\d+)?$|^\[?[0-9a-f:]+\]?(:\d+)?$/i.test(f.host);
        ctx.emit({
          detector: 'http-file', ts: f.ts, client: f.client, site: f.site, unit: ctx.unitOf(f.client, f.site), severity: 'high', confidence: bare ? 85 : 70,
          stage: 'delivery', threat: `delivery:${server}`, controller: server, indicator: f.sha256 ?? f.url ?? server,
          title: `${kind} fetched over HTTP from ${f.host ?? server}${f.url ?? ''}${bare ? ' (bare address)' : ''}`,
          evidence: { kind, url: f.url, host: f.host, server, mime: f.mime, sha256: f.sha256, md5: f.md5 },
        });
      },
    };
  },
};
