import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInternalDefault } from '../net.ts';
import { fastFlowBytes } from './fast.ts';
import { CollectingSink, mapEveBytes, mapEveLine, type EveMapContext } from './map.ts';

const fastFlowFields = (l: string) => fastFlowBytes(Buffer.from(l), 0, Buffer.byteLength(l));

const EVE = fileURLToPath(new URL('../../../../shared/testdata/suricata/stratum_xmrig_rx0.eve.json', import.meta.url));
const ctx: EveMapContext = { isInternal: isInternalDefault, source: 'eve.json', fast: true };

/**
 * Both paths over one line: what reached the sink, and how the fast one read it. The line also goes
 * through mapEveBytes, inside a larger buffer (as a file read gives it), which must agree too.
 */
function both(line: string): { fast: CollectingSink; json: CollectingSink; how: string } {
  const fast = new CollectingSink();
  const json = new CollectingSink();
  const bytes = new CollectingSink();
  const how = mapEveLine(line, ctx, fast);
  mapEveLine(line, { ...ctx, fast: false }, json);
  const buf = Buffer.from(`{"x":1}\n${line}\n{"y":2}`);
  const from = 8;
  expect(mapEveBytes(buf, from, from + Buffer.byteLength(line), ctx, bytes)).toBe(how);
  expect(bytes).toEqual(fast);
  return { fast, json, how };
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** JSON text of an object with its keys in a chosen order, optionally with spaces after ':' and ','. */
function write(o: Record<string, unknown>, seed: number, spaced: boolean): string {
  const entries = shuffle(Object.entries(o), seed).map(([k, v]) => `${JSON.stringify(k)}:${spaced ? ' ' : ''}${v !== null && typeof v === 'object' && !Array.isArray(v) ? write(v as Record<string, unknown>, seed + 1, spaced) : JSON.stringify(v)}`);
  return `{${entries.join(spaced ? ', ' : ',')}}`;
}

const ip = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('10.0.0.1', '192.168.1.5', 'fd00::5'));
const ts = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '123+0000').replace(/\.(\d{3})123/, '.$1456'));
const nat = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constant(0));
const odd = fc.oneof(fc.string(), fc.constantFrom('a\\"b', '{', '}', '"flow":{', 'x\ny', 'é', '\u2028', '"src_ip":"6.6.6.6"'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }));

/** Objects and arrays the fast path steps over (metadata, ether, tunnel …), strings with braces in them. */
const nested = fc.oneof(
  fc.dictionary(fc.constantFrom('src_ip', 'flowbits', 'a', 'flow'), fc.oneof(fc.string(), fc.nat(), fc.array(fc.constantFrom('x', '}', ']', '{"', 'é')), fc.constant({ deep: [1, { b: '}' }] }))),
  fc.array(fc.oneof(fc.string(), fc.nat(), fc.constant([]), fc.constant({})), { maxLength: 3 }),
);

const record = fc.record(
  {
    timestamp: ts,
    flow_id: fc.nat(),
    host: fc.oneof(fc.constantFrom('sensor1', 'edge-2'), fc.string()),
    src_ip: ip,
    src_port: fc.nat({ max: 70000 }),
    dest_ip: ip,
    dest_port: fc.nat({ max: 65535 }),
    proto: fc.constantFrom('TCP', 'UDP', 'ICMP', 'IPv6-ICMP', 'SCTP', '47', 'XYZ'),
    app_proto: fc.constantFrom('failed', 'dns', 'tls'),
    flow: fc.record({ pkts_toserver: nat, pkts_toclient: nat, bytes_toserver: nat, bytes_toclient: nat, start: ts, end: ts, age: fc.nat(), state: fc.constantFrom('new', 'closed'), alerted: fc.boolean() }, { requiredKeys: ['start'] }),
    tcp: fc.record({ tcp_flags: fc.constantFrom('1b', '02', '00', 'ff', 'zz'), syn: fc.boolean(), state: fc.constantFrom('closed', 'established') }, { requiredKeys: [] }),
  },
  { requiredKeys: ['src_ip', 'dest_ip', 'proto', 'flow'] },
);

describe('EVE flow fast path', () => {
  it('reads every flow line of the real file itself and gives what JSON.parse gives', () => {
    const lines = readFileSync(EVE, 'utf8').split('\n').filter((l) => l.includes('"event_type":"flow"'));
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      const r = both(l);
      expect(r.how).toBe('fast');
      expect(r.fast.events).toHaveLength(1);
      expect(r.fast).toEqual(r.json);
    }
  });

  it('compact records in any key order: taken by the fast path, identical events', () => {
    fc.assert(
      fc.property(record, fc.nat(), (o, seed) => {
        const line = write({ ...o, event_type: 'flow' }, seed, false);
        const r = both(line);
        expect(r.fast).toEqual(r.json);
        // Valid JSON of this shape (no backslash, ASCII) must not fall back to JSON.parse.
        if (!line.includes('\\') && !/[^\x20-\x7e]/.test(line)) expect(r.how).not.toBe('json');
      }),
      { numRuns: 2000 },
    );
  });

  it('extra fields, odd values, escapes, spaces and duplicate keys: identical events or a fallback', () => {
    fc.assert(
      fc.property(record, fc.dictionary(fc.constantFrom('extra', 'src_ip', 'flow', 'tcp', 'start', 'event_type', 'metadata', 'tunnel', 'x"y', 'proto', 'src_port', 'host', 'end', 'tcp_flags'), fc.oneof(odd, nested), { maxKeys: 3 }), fc.nat(), fc.boolean(), fc.boolean(), (o, extra, seed, spaced, nested) => {
        const base = write({ ...o, event_type: 'flow' }, seed, spaced);
        const add = Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        // Extra keys at the top level (before or after: duplicates resolve to the last) or inside flow.
        const line = add.length === 0 ? base : nested ? base.replace('"flow":{', `"flow":{${add.join(',')},`) : seed % 2 ? `${base.slice(0, -1)},${add.join(',')}}` : `{${add.join(',')},${base.slice(1)}`;
        const r = both(line);
        expect(r.fast).toEqual(r.json);
      }),
      { numRuns: 3000 },
    );
  });

  it('falls back (returns null) rather than guess', () => {
    const ok = '{"timestamp":"2024-01-01T10:00:00.000000+0000","event_type":"flow","src_ip":"10.0.0.1","dest_ip":"1.1.1.1","proto":"TCP","flow":{"start":"2024-01-01T10:00:00.000000+0000","bytes_toserver":5}}';
    expect(fastFlowFields(ok)).not.toBeNull();
    // An object we do not read is stepped over: its src_ip is not the flow's.
    expect(fastFlowFields(ok.replace('"flow":{', '"tunnel":{"src_ip":"9.9.9.9","x":[{"y":"}"}]},"flow":{'))?.src_ip).toBe('10.0.0.1');
    for (const l of [ok.replace('"src_ip":"10.0.0.1"', '"src_ip":"10.0.0.\u00e9"'), ok.replace('"flow":{', '"flow":{"x":1},"flow":{'), ok.replace('10.0.0.1', '10.0.0.\\u0031'), ok.replace(':5}', ':5.0}'), ok.replace(':5}', ':05}'), ok.replace('"proto":"TCP"', '"proto": "TCP"'), ok.slice(0, -1)]) {
      expect(fastFlowFields(l), l).toBeNull();
    }
  });
});
