/**
 * One contract for every detector (../../shared/STYLE.md): a well-formed declaration; stream
 * detectors take every input kind they declare, garbage included, without throwing; windowed
 * ones run on a real (in-memory) store, empty or not; every alert any of them emits is well
 * formed. Plus the scoring pieces on their own.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KILL_CHAIN, type Alert } from '../model/detect.ts';
import { SEVERITIES } from '../model/events.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { DETECTORS } from './catalog.ts';
import { DetectorRuntime } from './runtime.ts';
import { executableKind } from './streams.ts';
import type { ThreatView } from './types.ts';
import { beaconScore } from './windows.ts';

const intel: ThreatView = {
  domain: (n) => (n.endsWith('pool.test') ? { value: 'pool.test', category: 'mining-pool', family: '', source: 't', confidence: 90 } : null),
  ip: (a) => (a === '203.0.113.66' ? { value: a, category: 'botnet-c2', family: 'x', source: 't', confidence: 80 } : null),
  ipPort: () => null, url: () => null, hash: () => null,
};

function wellFormed(a: Alert): void {
  expect(typeof a.detector).toBe('string');
  expect(KILL_CHAIN).toContain(a.stage);
  expect(SEVERITIES).toContain(a.severity);
  expect(a.confidence).toBeGreaterThanOrEqual(0);
  expect(a.confidence).toBeLessThanOrEqual(100);
  expect(a.threat.length).toBeGreaterThan(0);
  expect(a.client.length).toBeGreaterThan(0);
  expect(Number.isFinite(a.ts)).toBe(true);
  expect(() => JSON.stringify(a.evidence)).not.toThrow();
}

const event = fc.oneof(
  fc.record({ kind: fc.constant('dns' as const), ts: fc.nat(), client: fc.ipV4(), name: fc.domain(), qtype: fc.nat(255), rcode: fc.nat(15), outcome: fc.constant('resolved' as const), latencyUs: fc.nat() }),
  fc.record({ kind: fc.constant('flow' as const), ts: fc.nat(), end: fc.nat(), client: fc.ipV4(), src: fc.ipV4(), srcPort: fc.nat(65535), dst: fc.oneof(fc.ipV4(), fc.constant('203.0.113.66')), dstPort: fc.nat(65535), proto: fc.constantFrom(6, 17), bytesOut: fc.nat(), pktsOut: fc.nat(), bytesIn: fc.nat(), pktsIn: fc.nat(), sensor: fc.string() }),
  fc.record({ kind: fc.constant('http' as const), ts: fc.nat(), client: fc.ipV4(), server: fc.ipV4(), serverPort: fc.nat(65535), method: fc.string(), host: fc.oneof(fc.domain(), fc.constant('x.pool.test')), url: fc.string(), status: fc.nat(600), size: fc.nat(), sensor: fc.string() }),
  fc.record({ kind: fc.constant('tls' as const), ts: fc.nat(), client: fc.ipV4(), server: fc.ipV4(), serverPort: fc.nat(65535), sni: fc.option(fc.domain()), sensor: fc.string() }),
  fc.record({ kind: fc.constant('sinkhole' as const), ts: fc.nat(), client: fc.ipV4(), port: fc.nat(65535), proto: fc.constant('tcp'), said: fc.option(fc.string()) }),
  fc.record({ kind: fc.constant('alert' as const), ts: fc.nat(), client: fc.ipV4(), detector: fc.constantFrom('suricata:1', 'x'), severity: fc.constantFrom(...SEVERITIES), title: fc.string(), evidence: fc.constant({}) }),
);

describe('every detector', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openMemoryStore();
  });
  afterAll(() => store.close());

  it('is a well-formed declaration with a unique id and documented parameters', () => {
    const ids = DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of DETECTORS) {
      expect(d.title.length).toBeGreaterThan(5);
      for (const p of Object.values(d.params)) {
        expect(Number.isFinite(p.default)).toBe(true);
        expect(p.help.length).toBeGreaterThan(5);
      }
      if (d.mode === 'window') expect(d.every).toBeGreaterThan(0);
      else expect(d.inputs.length).toBeGreaterThan(0);
    }
  });

  it('takes any event, payload line or file without throwing, and emits only well-formed alerts', () => {
    const alerts: Alert[] = [];
    const errors: string[] = [];
    const rt = new DetectorRuntime(DETECTORS, { intel, store: store.events, unitOf: () => null, isInternal: (a) => a.startsWith('10.'), onAlert: (a) => alerts.push(a), onError: (id, e) => errors.push(`${id}: ${String(e)}`) });
    fc.assert(fc.property(event, fc.string(), fc.boolean(), (ev, text, fromClient) => {
      rt.observe(ev);
      rt.payload({ ts: 1, flow: { proto: 6, src: '10.0.0.1', srcPort: 1, dst: '198.51.100.1', dstPort: 3333 }, fromClient, text });
      rt.file({ ts: 1, client: '10.0.0.1', site: '', server: null, host: null, url: text, mime: text, head: new TextEncoder().encode(text), sha256: null, md5: null });
    }), { numRuns: 400 });
    rt.flush();
    expect(errors).toEqual([]);
    expect(alerts.length).toBeGreaterThan(0); // the listed names and addresses in the generators are found
    alerts.forEach(wellFormed);
  });

  it('runs every windowed detector on an empty store and on a busy one', async () => {
    const alerts: Alert[] = [];
    const errors: string[] = [];
    const rt = new DetectorRuntime(DETECTORS, { intel, store: store.events, unitOf: () => null, isInternal: (a) => a.startsWith('10.'), onAlert: (a) => alerts.push(a), onError: (id, e) => errors.push(`${id}: ${String(e)}`) });
    await rt.runWindows(0, Date.now());
    expect(errors).toEqual([]);
    expect(alerts).toEqual([]);
    const { BatchBuilder } = await import('../store/index.ts');
    const b = new BatchBuilder('flow', 4096);
    for (let h = 0; h < 12; h++) for (let k = 0; k < 25; k++) {
      b.add({ kind: 'flow', ts: 1_000_000 + k * 60_000 + h, end: 1_000_000 + k * 60_000 + h + 10, client: `10.0.0.${h + 1}`, src: `10.0.0.${h + 1}`, srcPort: 40000 + k, dst: '198.51.100.9', dstPort: 5050, proto: 6, bytesOut: 60, pktsOut: 1, bytesIn: 0, pktsIn: 0, tcpState: 'S0', sensor: 't', unit: null });
    }
    store.events.write(b.take());
    await store.events.flush();
    await rt.runWindows(0, 3_000_000);
    expect(errors).toEqual([]);
    expect(alerts.map((a) => a.detector)).toEqual(expect.arrayContaining(['fan-in', 'half-open', 'beaconing']));
    alerts.forEach(wellFormed);
    expect(rt.list().find((s) => s.id === 'fan-in')!.alerts).toBe(12);
  });
});

describe('scoring', () => {
  it('scores regular call-backs high and irregular traffic low (RITA-style beacon score)', () => {
    const regular = Array.from({ length: 60 }, (_, i) => i * 60_000);
    expect(beaconScore(regular, regular.map(() => 320), 3_600_000)).toBeGreaterThan(0.9);
    let s = 7;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const irregular = Array.from({ length: 60 }, () => Math.floor(rnd() * 3_600_000)).sort((a, b) => a - b);
    expect(beaconScore(irregular, irregular.map(() => Math.floor(rnd() * 60_000)), 3_600_000)).toBeLessThan(0.7);
  });

  it('knows programs by magic number, type or name', () => {
    expect(executableKind({ head: Uint8Array.of(0x4d, 0x5a, 0x90, 0), mime: null, url: null })).toBe('PE (MZ)');
    expect(executableKind({ head: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), mime: 'application/octet-stream', url: '/a' })).toBe('ELF');
    expect(executableKind({ head: null, mime: 'application/x-dosexec', url: null })).toBe('application/x-dosexec');
    expect(executableKind({ head: null, mime: 'text/html', url: '/setup.exe?x=1' })).toBe('program by name');
    expect(executableKind({ head: Uint8Array.of(0x3c, 0x68), mime: 'text/html', url: '/index.html' })).toBeNull();
  });
});
