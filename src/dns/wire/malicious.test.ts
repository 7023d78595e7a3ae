import { describe, expect, it } from 'vitest';
import { decode, decodeQuery } from './decode.ts';
import { encode } from './encode.ts';
import { WireError } from './errors.ts';
import type { WireErrorCode } from './errors.ts';
import { DIG_QUERY, hex, sampleResponse } from './wire.test-util.ts';

/** The code both decoders throw for `buf` (they must agree where both read the part at fault). */
function codeOf(buf: Uint8Array, which: 'decode' | 'query' | 'both' = 'both'): WireErrorCode {
  const codes: WireErrorCode[] = [];
  for (const f of which === 'both' ? [decode, decodeQuery] : which === 'decode' ? [decode] : [decodeQuery]) {
    try {
      f(buf);
      codes.push('ok' as WireErrorCode);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      codes.push(e.code);
    }
  }
  expect(new Set(codes).size).toBe(1);
  return codes[0]!;
}

const HEADER_Q1 = '0001 0000 0001 0000 0000 0000';
const HEADER_AN1 = '0001 8000 0000 0001 0000 0000';

describe('malicious input', () => {
  it('rejects pointer loops', () => {
    expect(codeOf(hex(`${HEADER_Q1} c00c 0001 0001`))).toBe('bad-pointer'); // self
    expect(codeOf(hex(`${HEADER_Q1} c00e 0001 0001 00`))).toBe('bad-pointer'); // forward
    expect(codeOf(hex(`${HEADER_Q1} c00e c00c 0001 0001`))).toBe('bad-pointer'); // each other
    expect(codeOf(hex(`${HEADER_Q1} 0161 c00c 0001 0001`))).toBe('bad-pointer'); // into its own labels
  });

  it('rejects pointers past the end and cut-off pointers', () => {
    expect(codeOf(hex(`${HEADER_Q1} c0ff 0001 0001`))).toBe('bad-pointer');
    expect(codeOf(hex(`${HEADER_Q1} ffff 0001 0001`))).toBe('bad-pointer');
    expect(codeOf(hex(`0001 0000 0000 0000 0000 0000 00`))).toBe('ok');
    expect(codeOf(hex(`0001 0000 0002 0000 0000 0000 06 616161616161 00 0001 0001 c0`), 'decode')).toBe('truncated');
  });

  it('rejects reserved label types (> 63) and long names', () => {
    expect(codeOf(hex(`${HEADER_Q1} 40 ${'61'.repeat(64)} 00 0001 0001`))).toBe('bad-name');
    expect(codeOf(hex(`${HEADER_Q1} 80 61 00 0001 0001`))).toBe('bad-name');
    const label = `3f ${'61'.repeat(63)}`;
    // 4 × 64 + 1 = 257 bytes in one run.
    expect(codeOf(hex(`${HEADER_Q1} ${label} ${label} ${label} ${label} 00 0001 0001`))).toBe('too-long');
  });

  it('rejects a name over 255 bytes built from pointers', () => {
    // Questions at 12, 81, 151, 221: each a 63-byte label plus a pointer to the previous name.
    const label = `3f ${'61'.repeat(63)}`;
    const buf = hex(`0001 0000 0004 0000 0000 0000
      ${label} 00 0001 0001     # @12: 65 bytes
      ${label} c00c 0001 0001   # @81: 129
      ${label} c051 0001 0001   # @151: 193
      ${label} c097 0001 0001   # @221: 257`);
    expect(codeOf(buf, 'decode')).toBe('too-long');
    expect(decodeQuery(buf).question!.name).toBe('a'.repeat(63));
  });

  it('limits pointer hops', () => {
    // A raw RDATA holding root followed by 200 pointers, each to the one before; a record names the last.
    const rdStart = 12 + 11;
    const bytes = [0];
    for (let i = 0; i < 200; i++) {
      const target = i === 0 ? rdStart : rdStart + 1 + 2 * (i - 1);
      bytes.push(0xc0 | (target >> 8), target & 0xff);
    }
    const last = rdStart + 1 + 2 * 199;
    const rd = Buffer.from(bytes).toString('hex');
    const buf = hex(`0001 8000 0000 0002 0000 0000 00 0063 0001 00000000 ${bytes.length.toString(16).padStart(4, '0')} ${rd}
      ${(0xc000 | last).toString(16)} 0001 0001 00000000 0004 01020304`);
    expect(codeOf(buf, 'decode')).toBe('bad-pointer');
  });

  it('rejects counts that cannot fit before allocating', () => {
    expect(codeOf(hex('0001 0000 ffff 0000 0000 0000 00 0001 0001'))).toBe('bad-count');
    expect(codeOf(hex('0001 0000 0000 ffff ffff ffff'))).toBe('bad-count');
    expect(codeOf(hex(`${HEADER_AN1.replace('0001 0000 0000', '0002 0000 0000')} 00 0001 0001 00000000 0000`))).toBe('bad-count');
  });

  it('rejects truncated headers, questions and RDATA', () => {
    for (let n = 0; n < 12; n++) expect(codeOf(DIG_QUERY.subarray(0, n))).toBe('truncated');
    const wire = encode(sampleResponse());
    for (let n = 12; n < wire.length; n++) {
      const code = codeOf(wire.subarray(0, n), 'decode');
      expect(['truncated', 'bad-count']).toContain(code);
    }
    expect(codeOf(hex(`${HEADER_AN1} 00 0001 0001 00000000 0004 0102`))).toBe('truncated');
  });

  it('rejects RDATA whose length does not match its type', () => {
    expect(codeOf(hex(`${HEADER_AN1} 00 0001 0001 00000000 0005 0102030405`), 'decode')).toBe('bad-rdata');
    expect(codeOf(hex(`${HEADER_AN1} 00 001c 0001 00000000 0004 01020304`), 'decode')).toBe('bad-rdata');
    expect(codeOf(hex(`${HEADER_AN1} 00 0005 0001 00000000 0004 0161 00 00`), 'decode')).toBe('bad-rdata'); // name + extra byte
    expect(codeOf(hex(`${HEADER_AN1} 00 0005 0001 00000000 0002 0161 00`), 'decode')).toBe('bad-rdata'); // name runs past RDATA
    expect(codeOf(hex(`${HEADER_AN1} 00 000f 0001 00000000 0001 00`), 'decode')).toBe('bad-rdata'); // MX too short
    expect(codeOf(hex(`${HEADER_AN1} 00 0006 0001 00000000 0005 00 00 000000`), 'decode')).toBe('bad-rdata'); // SOA too short
  });

  it('rejects a second OPT, a named OPT and bad options (RFC 6891 §6.1)', () => {
    const opt = '00 0029 04d0 00000000 0000';
    expect(codeOf(hex(`0001 0000 0000 0000 0000 0002 ${opt} ${opt}`))).toBe('bad-edns');
    expect(codeOf(hex(`0001 0000 0000 0000 0000 0001 0161 00 0029 04d0 00000000 0000`))).toBe('bad-edns');
    expect(codeOf(hex(`0001 0000 0000 0000 0000 0001 00 0029 04d0 00000000 0003 000a00`))).toBe('bad-edns');
    expect(codeOf(hex(`0001 0000 0000 0000 0000 0001 00 0029 04d0 00000000 0006 000a 0008 0102`))).toBe('bad-edns');
  });
});
