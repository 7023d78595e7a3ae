/**
 * Windowed detectors: each is one query on the store's analytics (../store/analytics.ts) over the
 * window, scored here. They run every few minutes in `serve` and once over the whole span of the
 * input in `minewarden analyze`.
 */
import type { Alert } from '../model/detect.ts';
import type { HostRef } from '../store/index.ts';
import type { WindowDetector } from './types.ts';

const MIN = 60_000;

function hostAlert(h: HostRef, a: Omit<Alert, 'client' | 'site' | 'unit'>): Alert {
  return { ...a, client: h.client, site: h.site, unit: h.unit };
}

/**
 * Botnet fan-in: N or more internal hosts reach one external destination that this network
 * rarely talked to before. Every host gets an alert naming the destination as controller, so
 * the incidents fold them into one campaign; the destination's port profile across all hosts is
 * the evidence (how the source case found ports 80, 5000, 5050 and 9090).
 */
export const fanIn: WindowDetector = {
  id: 'fan-in',
  title: 'Many hosts calling one rare destination',
  mode: 'window', every: 300, window: 3600,
  params: {
    minHosts: { default: 10, help: 'distinct internal hosts within the window' },
    lookbackHours: { default: 168, help: 'how far back "rare" looks' },
    maxPriorHosts: { default: 2, help: 'hosts that may have reached it before the window' },
  },
  async run(w, p, ctx) {
    const rows = await ctx.store.fanIn({ ...w, minHosts: p['minHosts']!, lookbackMs: p['lookbackHours']! * 3600_000, maxPriorHosts: p['maxPriorHosts']! });
    for (const r of rows) {
      if (ctx.isInternal(r.dst)) continue; // many hosts reaching our own servers is normal
      const profile = await ctx.store.portProfile({ ...w, dst: r.dst });
      const listed = ctx.intel.ip(r.dst);
      const ports = profile.map((x) => ({ port: x.dstPort, hosts: x.hosts, flows: x.flows, bytesOut: x.bytesOut, bytesIn: x.bytesIn, halfOpen: x.halfOpen, states: x.states }));
      for (const h of r.hosts) {
        ctx.emit(hostAlert(h, {
          detector: 'fan-in', ts: h.first, severity: r.hosts.length >= 50 || listed !== null ? 'critical' : 'high', confidence: Math.min(95, 50 + r.hosts.length),
          stage: 'command-and-control', threat: `c2:${r.dst}`, controller: r.dst, indicator: r.dst,
          title: `${r.hosts.length} hosts reached rare destination ${r.dst} (ports ${r.ports.join(', ')})`,
          evidence: { hosts: r.hosts.length, ports: r.ports, priorHosts: r.priorHosts, firstSeen: r.firstSeen, flows: r.flows, portProfile: ports, listed: listed?.category ?? null },
          events: [{ kind: 'flow', ts: h.first, client: h.client, site: h.site }],
        }));
      }
    }
  },
};

/** Repeated half-open TCP (SYN without answer, rejected) from a host to one destination port. */
export const halfOpen: WindowDetector = {
  id: 'half-open',
  title: 'Repeated half-open connections',
  mode: 'window', every: 300, window: 3600,
  params: { minAttempts: { default: 20, help: 'half-open flows to one destination port within the window' } },
  async run(w, p, ctx) {
    for (const r of await ctx.store.halfOpen({ ...w, minAttempts: p['minAttempts']! })) {
      ctx.emit(hostAlert(r, {
        detector: 'half-open', ts: r.first, severity: 'medium', confidence: Math.min(90, 40 + Math.round((r.halfOpen / Math.max(1, r.attempts)) * 50)),
        stage: 'command-and-control', threat: `c2:${r.dst}`, controller: r.dst, indicator: `${r.dst}:${r.dstPort}`,
        title: `${r.halfOpen} half-open connections to ${r.dst}:${r.dstPort}`,
        evidence: { halfOpen: r.halfOpen, attempts: r.attempts, first: r.first, last: r.last },
      }));
    }
  },
};

/** Quartiles, median and median absolute deviation of a sorted copy. */
function stats(values: number[]): { q1: number; med: number; q3: number; madm: number } {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
  const med = at(0.5);
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  return { q1: at(0.25), med, q3: at(0.75), madm: dev[Math.floor((dev.length - 1) / 2)]! };
}

/**
 * Beacon score as RITA computes it: intervals and sizes that are regular (Bowley skewness near 0,
 * small median absolute deviation), and enough connections for the span. 0–1.
 */
export function beaconScore(ts: readonly number[], bytes: readonly number[], windowMs: number): number {
  if (ts.length < 3) return 0;
  const deltas: number[] = [];
  for (let i = 1; i < ts.length; i++) deltas.push(ts[i]! - ts[i - 1]!);
  const t = stats(deltas);
  const tSkew = t.q3 === t.q1 ? 0 : Math.abs((t.q1 + t.q3 - 2 * t.med) / (t.q3 - t.q1));
  const tMad = t.med === 0 ? 1 : Math.min(1, t.madm / t.med);
  const expected = t.med === 0 ? ts.length : windowMs / t.med;
  const tConn = Math.min(1, ts.length / Math.max(1, expected * 0.5));
  const tScore = ((1 - tSkew) + (1 - tMad) + tConn) / 3;
  const d = stats([...bytes]);
  const dSkew = d.q3 === d.q1 ? 0 : Math.abs((d.q1 + d.q3 - 2 * d.med) / (d.q3 - d.q1));
  const dMad = Math.min(1, d.madm / 32);
  const dSmall = Math.max(0, 1 - d.med / 65535);
  const dScore = ((1 - dSkew) + (1 - dMad) + dSmall) / 3;
  return (tScore + dScore) / 2;
}

export const beaconing: WindowDetector = {
  id: 'beaconing',
  title: 'Beaconing (regular call-backs)',
  mode: 'window', every: 900, window: 6 * 3600,
  params: {
    minConnections: { default: 20, help: 'connections of one pair within the window' },
    threshold: { default: 0.85, help: 'beacon score (0–1) to report' },
  },
  async run(w, p, ctx) {
    for (const r of await ctx.store.beaconCandidates({ ...w, minConnections: p['minConnections']!, limit: 5000 })) {
      const score = beaconScore(r.ts, r.bytesOut, w.to - w.from);
      if (score < p['threshold']!) continue;
      const deltas = r.ts.slice(1).map((t, i) => t - r.ts[i]!);
      ctx.emit(hostAlert(r, {
        detector: 'beaconing', ts: r.ts[0]!, severity: 'medium', confidence: Math.round(score * 90),
        stage: 'command-and-control', threat: `c2:${r.dst}`, controller: r.dst, indicator: `${r.dst}:${r.dstPort}`,
        title: `beaconing to ${r.dst}:${r.dstPort} every ~${Math.round(stats(deltas).med / 1000)} s (score ${score.toFixed(2)})`,
        evidence: { score: Number(score.toFixed(3)), connections: r.connections, medianIntervalMs: stats(deltas).med },
      }));
    }
  },
};

export const longConnections: WindowDetector = {
  id: 'long-connection',
  title: 'Long connections',
  mode: 'window', every: 900, window: 6 * 3600,
  params: { minMinutes: { default: 120, help: 'a flow lasting at least this long' } },
  async run(w, p, ctx) {
    for (const r of await ctx.store.longConnections({ ...w, minDurationMs: p['minMinutes']! * MIN })) {
      const names = ctx.namesFor(r.client, r.dst);
      ctx.emit(hostAlert(r, {
        detector: 'long-connection', ts: w.from, severity: 'low', confidence: 40,
        stage: 'command-and-control', threat: `c2:${r.dst}`, controller: r.dst, indicator: `${r.dst}:${r.dstPort}`,
        title: `connection to ${names[0] ?? r.dst}:${r.dstPort} open ${Math.round(r.maxDurationMs / MIN)} min`,
        evidence: { flows: r.flows, durationMs: r.durationMs, bytesOut: r.bytesOut, bytesIn: r.bytesIn, names },
      }));
    }
  },
};

export const strobe: WindowDetector = {
  id: 'strobe',
  title: 'Strobes (one host, many ports of one destination)',
  mode: 'window', every: 300, window: 3600,
  params: { minPorts: { default: 100, help: 'distinct ports of one destination' } },
  async run(w, p, ctx) {
    for (const r of await ctx.store.strobes({ ...w, minPorts: p['minPorts']! })) {
      ctx.emit(hostAlert(r, {
        detector: 'strobe', ts: r.first, severity: 'medium', confidence: 60, stage: 'action', threat: `scan:${r.dst}`,
        indicator: r.dst, title: `${r.ports} ports of ${r.dst} probed`, evidence: { ports: r.ports, flows: r.flows },
      }));
    }
  },
};

export const dnsTunnel: WindowDetector = {
  id: 'dns-tunnel',
  title: 'DNS tunnelling (many unique subdomains of one domain)',
  mode: 'window', every: 300, window: 3600,
  params: {
    minUnique: { default: 200, help: 'distinct first labels under one parent' },
    minAvgLength: { default: 20, help: 'average first-label length' },
  },
  async run(w, p, ctx) {
    for (const r of await ctx.store.dnsTunnelCandidates({ ...w, minUnique: p['minUnique']! })) {
      if (r.avgLabelLength < p['minAvgLength']!) continue;
      ctx.emit(hostAlert(r, {
        detector: 'dns-tunnel', ts: w.from, severity: 'high', confidence: 70, stage: 'command-and-control', threat: `c2:${r.parent}`,
        controller: r.parent, indicator: r.parent, title: `${r.uniqueLabels} unique subdomains of ${r.parent} (avg ${r.avgLabelLength.toFixed(0)} chars)`,
        evidence: { uniqueLabels: r.uniqueLabels, avgLabelLength: r.avgLabelLength, maxLabelLength: r.maxLabelLength, queries: r.queries },
      }));
    }
  },
};

/** Programs fetched over HTTP from a bare address or a server few hosts use. */
export const httpDownloads: WindowDetector = {
  id: 'http-executable',
  title: 'Executables fetched over HTTP from rare hosts or bare addresses',
  mode: 'window', every: 300, window: 3600,
  params: { maxServerHosts: { default: 5, help: 'a server used by at most this many hosts counts as rare' } },
  async run(w, p, ctx) {
    for (const r of await ctx.store.rareHttpDownloads(w)) {
      if (!r.bareIp && r.serverHosts > p['maxServerHosts']!) continue;
      const url = r.url.startsWith('http') ? r.url : `http://${r.host || r.server}${r.url}`;
      ctx.emit(hostAlert(r, {
        detector: 'http-executable', ts: r.ts, severity: 'high', confidence: r.bareIp ? 80 : 65, stage: 'delivery',
        threat: `delivery:${r.server}`, controller: r.server, indicator: url,
        title: `executable fetched over HTTP: ${url}${r.bareIp ? ' (bare address)' : ''}`,
        evidence: { url, contentType: r.contentType, size: r.size, userAgent: r.userAgent, serverHosts: r.serverHosts, status: r.status },
        events: [{ kind: 'http', ts: r.ts, client: r.client, site: r.site }],
      }));
    }
  },
};

export const WINDOW_DETECTORS: readonly WindowDetector[] = [fanIn, halfOpen, beaconing, longConnections, strobe, dnsTunnel, httpDownloads];
