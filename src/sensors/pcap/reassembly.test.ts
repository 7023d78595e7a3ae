import { describe, expect, it } from 'vitest';
import { Stream } from './reassembly.ts';

const t = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (s: Stream): string => new TextDecoder().decode(s.data());

describe('Stream', () => {
  it('orders out-of-order segments and ignores retransmissions', () => {
    const s = new Stream(1024);
    s.syn(999); // data starts at 1000
    expect(s.add(1006, t('world'))).toBe(false); // gap
    expect(s.add(1000, t('hello '))).toBe(true);
    expect(s.add(1000, t('hello '))).toBe(false); // retransmission
    expect(s.add(1003, t('lo woYYdX'))).toBe(true); // overlap: held bytes win, only 'X' beyond 1011 is new
    expect(text(s)).toBe('hello worldX');
  });

  it('handles sequence wrap-around', () => {
    const s = new Stream(1024);
    s.syn(0xfffffffd);
    s.add(0xfffffffe, t('ab'));
    s.add(0, t('cd'));
    expect(text(s)).toBe('abcd');
  });

  it('starts mid-stream at the first segment and trims older bytes', () => {
    const s = new Stream(1024);
    s.add(500, t('xyz'));
    s.add(498, t('abxyz!'));
    expect(text(s)).toBe('xyz!');
  });

  it('stops after the limit', () => {
    const s = new Stream(8);
    s.syn(0);
    s.add(1, t('12345'));
    s.add(6, t('67890'));
    expect(text(s)).toBe('12345678');
    expect(s.done).toBe(true);
    expect(s.add(14, t('more'))).toBe(false);
  });

  it('lets a consumer drop what it parsed', () => {
    const s = new Stream(100, 8);
    s.syn(0);
    s.add(1, t('line1\n'));
    s.consume(6);
    s.add(7, t('line2\n'));
    expect(text(s)).toBe('line2\n');
    expect(s.total).toBe(12);
  });
});
