import { describe, expect, it } from 'vitest';
import { inferType, normalizeCidr, normalizeDomain, normalizeIp, normalizeIpPort, normalizeUrl, normalizeValue } from './normalize.ts';

describe('normalizeDomain', () => {
  it('lower-cases, strips the trailing dot and a leading wildcard', () => {
    expect(normalizeDomain('Pool.SupportXMR.com.')).toBe('pool.supportxmr.com');
    expect(normalizeDomain('*.moneroocean.stream')).toBe('moneroocean.stream');
  });
  it('converts IDN to punycode', () => {
    expect(normalizeDomain('bücher.example')).toBe('xn--bcher-kva.example');
    expect(normalizeDomain('矿池.cn')).toBe('xn--btwv1w.cn');
  });
  it('rejects names that are not host names', () => {
    expect(normalizeDomain('')).toBeNull();
    expect(normalizeDomain('bad name.com')).toBeNull();
    expect(normalizeDomain('-lead.example')).toBeNull();
    expect(normalizeDomain(`${'a'.repeat(64)}.com`)).toBeNull();
    expect(normalizeDomain('1.2.3.4')).toBeNull();
  });
});

describe('IP, CIDR and ip:port', () => {
  it('writes IPv6 canonically (RFC 5952) and unwraps IPv4-mapped addresses', () => {
    expect(normalizeIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normalizeIp('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeIp('999.1.1.1')).toBeNull();
  });
  it('clears host bits of a CIDR and turns a full-length prefix into an IP', () => {
    expect(normalizeCidr('10.1.2.3/8')).toEqual({ ok: true, type: 'cidr', value: '10.0.0.0/8' });
    expect(normalizeCidr('2001:db8::ff/32')).toEqual({ ok: true, type: 'cidr', value: '2001:db8::/32' });
    expect(normalizeCidr('192.0.2.1/32')).toEqual({ ok: true, type: 'ip', value: '192.0.2.1' });
    expect(normalizeCidr('192.0.2.1/33').ok).toBe(false);
  });
  it('parses ip:port in both families', () => {
    expect(normalizeIpPort('185.71.66.20:14444')).toBe('185.71.66.20:14444');
    expect(normalizeIpPort('[2001:DB8::1]:3333')).toBe('[2001:db8::1]:3333');
    expect(normalizeIpPort('1.2.3.4:0')).toBeNull();
    expect(normalizeIpPort('1.2.3.4:70000')).toBeNull();
  });
});

describe('URL', () => {
  it('lower-cases scheme and host, drops default port and fragment, adds http:// when missing', () => {
    expect(normalizeUrl('HTTP://Evil.Example:80/a/B.exe#frag')).toBe('http://evil.example/a/B.exe');
    expect(normalizeUrl('evil.example/x.sh')).toBe('http://evil.example/x.sh');
  });
});

describe('inferType', () => {
  it('recognises every type as lists write them', () => {
    expect(inferType('pool.example')).toBe('domain');
    expect(inferType('192.0.2.1')).toBe('ip');
    expect(inferType('2001:db8::1')).toBe('ip');
    expect(inferType('192.0.2.0/24')).toBe('cidr');
    expect(inferType('192.0.2.1:3333')).toBe('ip:port');
    expect(inferType('http://x.example/a')).toBe('url');
    expect(inferType('x.example/a.exe')).toBe('url');
    expect(inferType('d41d8cd98f00b204e9800998ecf8427e')).toBe('md5');
    expect(inferType('da39a3ee5e6b4b0d3255bfef95601890afd80709')).toBe('sha1');
    expect(inferType('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('sha256');
  });
  it('normalizeValue reports a clear error', () => {
    const r = normalizeValue('not a domain!');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/not a valid domain/);
  });
});
