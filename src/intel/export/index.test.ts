import { describe, expect, it } from 'vitest';
import type { Indicator } from '../../model/indicator.ts';
import { CHUNK_CHARS } from './common.ts';
import { NOW, indicator } from './export.test-util.ts';
import { EXPORT_FORMATS, exportIndicators } from './index.ts';

function* many(n: number, onRead: () => void): Generator<Indicator> {
  for (let i = 0; i < n; i++) {
    onRead();
    yield indicator('domain', `host-${i}.pool.example`);
  }
}

describe('exportIndicators', () => {
  it.each(EXPORT_FORMATS)('streams %s in bounded chunks, reading the input lazily', (format) => {
    let read = 0;
    const chunks = exportIndicators(many(50_000, () => read++), format, { now: NOW })[Symbol.iterator]();
    const first = chunks.next();
    if (first.done === true) throw new Error('no output');
    expect(read).toBeLessThan(50_000);
    let total = first.value.length;
    let count = 1;
    for (let c = chunks.next(); c.done !== true; c = chunks.next()) {
      // A chunk closes at the first piece that reaches the size, and a piece is one record.
      expect(c.value.length).toBeLessThan(CHUNK_CHARS + 1024);
      total += c.value.length;
      count++;
    }
    expect(read).toBe(50_000);
    expect(count).toBeGreaterThan(10);
    expect(total).toBeGreaterThan(50_000 * 20);
  });

  it('throws on an unknown format and a bad `now` before reading anything', () => {
    expect(() => exportIndicators([], 'csv' as never)).toThrow(/unknown format/);
    expect(() => exportIndicators([], 'hosts', { now: -1 })).toThrow(/epoch seconds/);
  });
});
