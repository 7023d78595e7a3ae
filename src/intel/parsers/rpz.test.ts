import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { decodeRpzIp, encodeRpzIp, parseAll } from './index.ts';
import { fixture } from './parsers.test-util.ts';

describe('rpz', () => {
  it('reads QNAME and rpz-ip triggers of a BIND-style zone', () => {
    const r = parseAll(fixture('rpz-bind-style.zone'), 'rpz');
    expect(r.indicators).toEqual([
      { value: 'pool.miner.example', line: 15, type: 'domain' },
      { value: 'pool.miner.example', line: 16, type: 'domain' }, // *.pool.miner.example
      { value: 'xmr.coinhive.example', line: 17, type: 'domain' },
      { value: 'stratum.evil.example', line: 18, type: 'domain' }, // absolute owner, origin stripped
      { value: 'c2.botnet.example', line: 19, type: 'domain' },
      { value: 'sink.botnet.example', line: 20, type: 'domain' }, // A and AAAA: one policy
      { value: '198.51.100.66', line: 26, type: 'ip' },
      { value: '203.0.113.0/24', line: 27, type: 'cidr' },
      { value: '2001:db8::1', line: 28, type: 'ip' },
      { value: '2001:db8:85::/48', line: 29, type: 'cidr' },
      { value: 'miner.sub', line: 39, type: 'domain' }, // relative to $ORIGIN sub.rpz.example.net.
    ]);
    expect(r.skippedReasons).toEqual({
      'rpz-passthru (exemption)': 1,
      'rpz-tcp-only': 1,
      'rpz-nsdname trigger': 1,
      'rpz-nsip trigger': 1,
      'rpz-client-ip trigger': 1,
    });
    expect(r.rejected).toEqual([{ line: 36, error: 'rpz-ip IPv4 prefix length must be 1–32', sample: '33.1.2.0.192.rpz-ip         CNAME .                ; prefix too long for IPv4' }]);
  });

  it('reads a zone whose origin comes from named.conf (no $ORIGIN, SOA at @)', () => {
    const zone = [
      '$TTL 60',
      '@ IN SOA localhost. root.localhost. ( 1 3600 600 86400 60 )',
      '  IN NS  localhost.',
      'bad.example      CNAME .',
      'old.example      CNAME old.example.   ; old-style passthru: a CNAME to itself',
      'MiXeD.Example.   CNAME rpz-drop.',
    ].join('\n');
    const r = parseAll(zone, 'rpz');
    expect(r.indicators.map((i) => i.value)).toEqual(['bad.example', 'mixed.example']);
    expect(r.skippedReasons).toEqual({ 'rpz-passthru (exemption)': 1 });
  });

  it('rejects what master-file syntax does not allow', () => {
    const zone = [
      '$ORIGIN rpz.example.',
      '$GENERATE 1-10 host$ CNAME .',
      'outside.example.org. CNAME .',
      'bad\\032name CNAME .',
      '32.1.2.0.999.rpz-ip CNAME .',
      'unclosed ( CNAME .',
      'swallowed.example CNAME .',
    ].join('\n');
    const r = parseAll(zone, 'rpz');
    expect(r.indicators).toEqual([]);
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([
      [2, 'unknown directive $GENERATE'],
      [3, 'owner name outside the zone'],
      [4, 'not a domain'],
      [5, 'rpz-ip trigger with a bad IPv4 address'],
      [6, "'(' not closed at end of file"],
    ]);
  });

  it('rejects a record of absurd length without failing on it', () => {
    const r = parseAll(`${'x '.repeat(2_000_000)}\nok.example CNAME .\n`, 'rpz');
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([[1, 'record too long']]);
    expect(r.indicators.map((i) => i.value)).toEqual(['ok.example']);
  });
});

describe('rpz-ip encoding', () => {
  it('decodes the draft’s examples', () => {
    expect(decodeRpzIp('32.4.3.2.1')).toEqual({ ok: true, type: 'ip', value: '1.2.3.4' });
    expect(decodeRpzIp('24.0.2.0.192')).toEqual({ ok: true, type: 'cidr', value: '192.0.2.0/24' });
    expect(decodeRpzIp('128.1.zz.db8.2001')).toEqual({ ok: true, type: 'ip', value: '2001:db8::1' });
    expect(decodeRpzIp('128.1.zz')).toEqual({ ok: true, type: 'ip', value: '::1' });
    expect(decodeRpzIp('32.1.2.0.256')).toMatchObject({ ok: false });
    expect(decodeRpzIp('64.zz.zz.db8.2001')).toMatchObject({ ok: false, error: 'rpz-ip trigger with more than one zz' });
    expect(decodeRpzIp('129.1.zz.db8.2001')).toMatchObject({ ok: false });
    expect(decodeRpzIp('x.1.2.3.4')).toMatchObject({ ok: false });
  });

  it('encodes like the draft', () => {
    expect(encodeRpzIp('1.2.3.4')).toBe('32.4.3.2.1');
    expect(encodeRpzIp('192.0.2.0/24')).toBe('24.0.2.0.192');
    expect(encodeRpzIp('2001:DB8:0:0:0:0:0:1')).toBe('128.1.zz.db8.2001');
    expect(encodeRpzIp('2001:db8::/32')).toBe('32.zz.db8.2001');
    expect(encodeRpzIp('not-an-ip')).toBeNull();
    expect(encodeRpzIp('1.2.3.4/33')).toBeNull();
  });

  const v4 = fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 32 }));
  // IPv4-mapped addresses are left out: the engine's normaliser turns them into IPv4 on purpose.
  const v6 = fc.tuple(fc.ipV6().filter((a) => !ipaddr.IPv6.parse(a).isIPv4MappedAddress()), fc.integer({ min: 1, max: 128 }));

  it('round-trips: decode(encode(x)) = x for every IPv4 and IPv6 address and prefix', () => {
    fc.assert(
      fc.property(fc.oneof(v4, v6), ([addr, prefix]) => {
        const canonical = addr.includes(':') ? ipaddr.IPv6.parse(addr).toRFC5952String() : addr;
        const max = addr.includes(':') ? 128 : 32;
        const input = prefix === max ? canonical : `${canonical}/${prefix}`;
        const labels = encodeRpzIp(input);
        expect(labels).not.toBeNull();
        expect(decodeRpzIp(labels ?? '')).toEqual({ ok: true, type: prefix === max ? 'ip' : 'cidr', value: input });
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through a zone file: what an exporter writes, the parser reads back', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 20 }), (nets) => {
        const values = nets.map(([a, p]) => `${a.includes(':') ? ipaddr.IPv6.parse(a).toRFC5952String() : a}/${p}`);
        const zone = ['$ORIGIN rpz.example.', '@ SOA ns. h. 1 1 1 1 1', ...values.map((v) => `${encodeRpzIp(v) ?? ''}.rpz-ip CNAME .`)].join('\n');
        const got = parseAll(zone, 'rpz').indicators.map((i) => (i.type === 'ip' ? `${i.value}/${i.value.includes(':') ? 128 : 32}` : i.value));
        // Consecutive identical triggers are one policy, so compare without repeats.
        const dedup = values.filter((v, i) => v !== values[i - 1]);
        expect(got).toEqual(dedup);
      }),
      { numRuns: 100 },
    );
  });
});
