import { describe, expect, it } from 'vitest';
import { WireError } from './errors.ts';
import { encodeName, nameKey, readName, skipName, writeName } from './name.ts';
import { Writer } from './writer.ts';

function roundTrip(name: string): string {
  const wire = encodeName(name);
  const r = readName(wire, 0);
  expect(r.end).toBe(wire.length);
  return r.name;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WireError);
    return (e as WireError).code;
  }
  throw new Error('did not throw');
}

describe('names', () => {
  it('reads and writes plain names, the root and a trailing dot', () => {
    expect(Array.from(encodeName('a.bc'))).toEqual([1, 0x61, 2, 0x62, 0x63, 0]);
    expect(Array.from(encodeName(''))).toEqual([0]);
    expect(Array.from(encodeName('.'))).toEqual([0]);
    expect(roundTrip('Example.COM.')).toBe('Example.COM');
    expect(roundTrip('')).toBe('');
  });

  it('escapes dots, backslashes, spaces and bytes outside 0x21–0x7E (RFC 1035 §5.1)', () => {
    const wire = Uint8Array.from([6, 0x61, 0x2e, 0x5c, 0x20, 0x00, 0xff, 3, 0x63, 0x6f, 0x6d, 0]);
    const r = readName(wire, 0);
    expect(r.name).toBe('a\\.\\\\\\032\\000\\255.com');
    expect(Array.from(encodeName(r.name))).toEqual(Array.from(wire));
    // Any escaped character is itself; \DDD is a byte.
    expect(roundTrip('\\a\\098c.\\046x')).toBe('abc.\\.x');
  });

  it('rejects malformed presentation names', () => {
    for (const bad of ['a..b', '.a', '..', 'a\\', 'a\\12', 'a\\256', 'caf\u00e9.com']) expect(code(() => encodeName(bad))).toBe('bad-name');
  });

  it('accepts 63-byte labels and 255-byte names, rejects 64 and 256', () => {
    const l63 = 'a'.repeat(63);
    expect(roundTrip(l63)).toBe(l63);
    expect(code(() => encodeName('a'.repeat(64)))).toBe('too-long');
    // 3 × (1+63) + (1+61) + 1 = 255
    const n255 = [l63, l63, l63, 'b'.repeat(61)].join('.');
    expect(encodeName(n255).length).toBe(255);
    expect(roundTrip(n255)).toBe(n255);
    expect(code(() => encodeName([l63, l63, l63, 'b'.repeat(62)].join('.')))).toBe('too-long');
    const labels127 = Array(127).fill('x').join('.');
    expect(encodeName(labels127).length).toBe(255);
    expect(code(() => encodeName(labels127 + '.y'))).toBe('too-long');
    // Escapes count as one byte.
    expect(encodeName('\\000'.repeat(63)).length).toBe(65);
    expect(code(() => encodeName('\\000'.repeat(64)))).toBe('too-long');
  });

  it('compresses suffixes case-insensitively and only backwards', () => {
    const w = new Writer(16);
    const comp = new Map<string, number>();
    writeName(w, 'www.Example.com', comp);
    writeName(w, 'mail.EXAMPLE.COM', comp);
    writeName(w, 'example.com', comp);
    writeName(w, '', comp);
    const buf = w.buf.subarray(0, w.pos);
    expect(w.pos).toBe(17 + 7 + 2 + 1);
    expect(readName(buf, 0).name).toBe('www.Example.com');
    expect(readName(buf, 17)).toEqual({ name: 'mail.Example.com', end: 24 });
    expect(readName(buf, 24)).toEqual({ name: 'Example.com', end: 26 });
    expect(skipName(buf, 17)).toBe(24);
    expect([...comp.keys()]).toEqual(['www.example.com', 'example.com', 'com', 'mail.example.com']);
  });

  it('escaped and plain spellings of a name share compression keys', () => {
    const w = new Writer(16);
    const comp = new Map<string, number>();
    writeName(w, 'a\\066c.com.', comp);
    writeName(w, 'ABC.com', comp);
    expect(w.pos).toBe(9 + 2);
    expect(readName(w.buf.subarray(0, w.pos), 9).name).toBe('aBc.com');
  });

  it('keys names case-insensitively for ASCII only (RFC 4343)', () => {
    expect(nameKey('WwW.Example.COM')).toBe('www.example.com');
    expect(nameKey('already.lower')).toBe('already.lower');
    expect(nameKey('\\195\\137A')).toBe('\\195\\137a');
    expect(nameKey('ÉA')).toBe('Éa');
  });
});
