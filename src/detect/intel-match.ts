/**
 * Intelligence match on every event kind: DNS names (the gateway's own match, or a lookup for
 * DNS seen by sensors), a flow's external address and address:port, HTTP host and URL, TLS SNI.
 * One alert per host and indicator per `quietMinutes`, so a miner's thousand reconnects are one
 * line of the timeline per window, not a thousand.
 */
import type { MinewardenEvent } from '../model/events.ts';
import { severityOf, stageOf, threatOf } from './stage.ts';
import type { DetectorContext, StreamDetector, ThreatHit } from './types.ts';

const MAX_REMEMBERED = 200_000;

function hitOf(ev: MinewardenEvent, ctx: DetectorContext): { hit: ThreatHit; where: string } | null {
  switch (ev.kind) {
    case 'dns': {
      if (ev.indicator !== undefined && ev.indicator !== null && ev.category !== undefined && ev.category !== null) {
        return { hit: { value: ev.indicator, category: ev.category, family: '', source: 'gateway', confidence: 80 }, where: `dns ${ev.name} (${ev.outcome})` };
      }
      const h = ctx.intel.domain(ev.name);
      return h === null ? null : { hit: h, where: `dns ${ev.name}` };
    }
    case 'flow': {
      const [ext, port] = ev.client === ev.src ? [ev.dst, ev.dstPort] : [ev.src, ev.srcPort];
      const h = ctx.intel.ipPort(ext, port) ?? ctx.intel.ip(ext);
      return h === null ? null : { hit: h, where: `flow to ${ext}:${port}` };
    }
    case 'http': {
      const url = ev.url.startsWith('http') ? ev.url : `http://${ev.host || ev.server}${ev.url.startsWith('/') ? '' : '/'}${ev.url}`;
      const h = ctx.intel.url(url) ?? (ev.host === '' ? null : ctx.intel.domain(ev.host)) ?? ctx.intel.ip(ev.server);
      return h === null ? null : { hit: h, where: `http ${ev.method} ${url}` };
    }
    case 'tls': {
      const h = (ev.sni === undefined || ev.sni === null ? null : ctx.intel.domain(ev.sni)) ?? ctx.intel.ip(ev.server);
      return h === null ? null : { hit: h, where: `tls ${ev.sni ?? ev.server}` };
    }
    case 'alert':
    case 'sinkhole':
      return null; // alerts are matched where they are made; the sinkhole already is a block
  }
}

export const intelMatch: StreamDetector = {
  id: 'intel-match',
  title: 'Contact with a listed mining pool, controller or malware host',
  mode: 'stream',
  inputs: ['dns', 'flow', 'http', 'tls'],
  params: { quietMinutes: { default: 10, help: 'one alert per host and indicator per this many minutes' } },
  create(params, ctx) {
    const quietMs = params['quietMinutes']! * 60_000;
    const last = new Map<string, number>();
    return {
      event(ev) {
        const m = hitOf(ev, ctx);
        if (m === null) return;
        const site = ev.site ?? '';
        const key = `${ev.client}\u0000${site}\u0000${m.hit.value}`;
        const before = last.get(key);
        if (before !== undefined && ev.ts - before < quietMs) return;
        if (last.size >= MAX_REMEMBERED) last.clear();
        last.set(key, ev.ts);
        const stage = stageOf(m.hit.category);
        ctx.emit({
          detector: 'intel-match', ts: ev.ts, client: ev.client, site, unit: ev.unit ?? null,
          severity: severityOf(stage, m.hit.confidence), confidence: m.hit.confidence, stage, threat: threatOf(stage, m.hit.value),
          title: `${m.hit.category}: ${m.hit.value} (${m.where})`, indicator: m.hit.value,
          controller: stage === 'command-and-control' || stage === 'mining' ? m.hit.value : null,
          evidence: { category: m.hit.category, family: m.hit.family, source: m.hit.source, seen: m.where },
          events: [{ kind: ev.kind, ts: ev.ts, client: ev.client, site }],
        });
      },
    };
  },
};
