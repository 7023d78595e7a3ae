import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipv6RpzLabels, rpzIpTrigger } from './rpz-ip.ts';

/** Reads IPv6 RPZ labels back to eight words, the way BIND's name2ipkey does. */
function decodeIpv6Labels(labels: string): number[] {
  const parts = labels.split('.').reverse();
  const zz = parts.indexOf('zz');
  const words = parts.filter((p) => p !== 'zz').map((p) => parseInt(p, 16));
  if (zz < 0) return words;
  return [...words.slice(0, zz), ...Array<number>(8 - words.length).fill(0), ...words.slice(zz)];
}

describe('rpzIpTrigger', () => {
  it.each([
    ['1.2.3.4', '32.4.3.2.1.rpz-ip'],
    ['192.168.0.1', '32.1.0.168.192.rpz-ip'],
    ['10.0.0.0/8', '8.0.0.0.10.rpz-ip'],
    ['192.168.1.0/24', '24.0.1.168.192.rpz-ip'],
    ['10.1.2.3/8', '8.0.0.0.10.rpz-ip'], // host bits cleared
    ['2001:2::/48', '48.zz.2.2001.rpz-ip'], // the BIND ARM example
    ['2001:db8::1', '128.1.zz.db8.2001.rpz-ip'],
    ['2001:2:3::1', '128.1.zz.3.2.2001.rpz-ip'],
    ['2001:db8:0:0:1:0:0:1', '128.1.0.0.1.zz.db8.2001.rpz-ip'], // tie: the leftmost run in address order
    ['2001:db8:0:1:1:1:1:1', '128.1.1.1.1.1.0.db8.2001.rpz-ip'], // one zero word is not compressed
    ['::1', '128.1.zz.rpz-ip'],
    ['fe80::/10', '10.zz.fe80.rpz-ip'],
    ['2a01:4f8:0:a0a1::/64', '64.zz.a0a1.0.4f8.2a01.rpz-ip'],
    ['::ffff:1.2.3.4', '32.4.3.2.1.rpz-ip'], // BIND keys IPv4-mapped addresses as IPv4
    ['::ffff:10.0.0.0/104', '8.0.0.0.10.rpz-ip'],
  ])('%s → %s', (value, owner) => {
    expect(rpzIpTrigger(value)).toBe(owner);
  });

  it.each(['0.0.0.0/0', '::/0', '1.2.3.4/33', '2001:db8::/129', '1.2.3', 'example.com', 'fe80::1%eth0', '1.2.3.4/x'])(
    'cannot express %s',
    (value) => {
      expect(rpzIpTrigger(value)).toBeNull();
    },
  );
});

describe('ipv6RpzLabels', () => {
  it('matches RFC 5952 text reversed, and decodes back to the same words', () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        const labels = ipv6RpzLabels(words);
        const rfc5952 = new ipaddr.IPv6(words).toRFC5952String();
        const expected = rfc5952.replace('::', ':zz:').split(':').filter((p) => p !== '').reverse().join('.');
        expect(labels).toBe(expected);
        expect(decodeIpv6Labels(labels)).toEqual(words);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects anything but eight 16-bit words', () => {
    expect(() => ipv6RpzLabels([1, 2, 3])).toThrow(RangeError);
    expect(() => ipv6RpzLabels([0, 0, 0, 0, 0, 0, 0, 0x10000])).toThrow(RangeError);
  });
});
