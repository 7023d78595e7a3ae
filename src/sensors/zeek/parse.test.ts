import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MinewardenEvent } from '../../model/events.ts';
import type { LineChunk } from '../files/index.ts';
import { SensorHealth, type EventOutput } from '../types.ts';
import { headerLine, newHeader, TsvRow, unescapeZeek } from './parse.ts';
import { isInternalDefault } from '../net.ts';
import { ZeekLineReader } from './reader.ts';

describe('Zeek TSV parsing', () => {
  it('decodes escapes as Zeek writes them; control bytes stay written as \\xNN', () => {
    expect(unescapeZeek('a\\x2cb')).toBe('a,b');
    expect(unescapeZeek('\\\\x07')).toBe('\\x07');
    expect(unescapeZeek('bell\\x07')).toBe('bell\\x07');
    expect(unescapeZeek('\\xf0\\x9f\\x98\\x84')).toBe('😄');
    expect(unescapeZeek('\\xff')).toBe('\\xff');
  });

  it('reads the header and fields by name, unset and empty told apart', () => {
    const h = newHeader();
    for (const l of ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tx', '#fields\ta\tb\tc']) headerLine(h, l);
    const r = new TsvRow(h);
    r.bind(['c', 'a', 'b', 'missing']);
    expect(r.set('-\t(empty)\t1,2\\x2c3')).toBe(3);
    expect([r.str(0), r.str(1), r.str(2), r.str(3)]).toEqual(['1,2,3', undefined, '', undefined]);
    expect(r.list(0)).toEqual(['1', '2,3']);
    expect(r.list(2)).toEqual([]);
  });

  it('knows internal addresses', () => {
    for (const a of ['10.1.2.3', '172.31.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) expect(isInternalDefault(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '2001:db8::1', 'fd::1', '141.142.220.118']) expect(isInternalDefault(a), a).toBe(false);
  });

  it('never throws on random or mutated lines (fuzz)', () => {
    const header = ['#separator \\x09', '#path\tconn', '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tconn_state'];
    const good = '1300475167.096535\tC1\t10.0.0.1\t5000\t8.8.8.8\t53\tudp\t0.1\t10\t20\tSF';
    const mutated = fc.tuple(fc.nat(good.length), fc.string({ maxLength: 8 }), fc.nat(4)).map(([at, ins, del]) => good.slice(0, at) + ins + good.slice(at + del));
    const line = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), mutated, fc.constantFrom(...header), fc.json());
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const health = new SensorHealth('t', 'zeek');
        const events: MinewardenEvent[] = [];
        const out: EventOutput = { record: (e) => events.push(e) > 0, noteHostName: () => undefined, drained: () => Promise.resolve() };
        const reader = new ZeekLineReader(out, health, { sensor: 'zeek:t' });
        const chunk: LineChunk = { file: 'conn.log', line: 1, lines: [...header, ...lines], start: true };
        expect(() => reader.feed(chunk)).not.toThrow();
        for (const e of events) expect(Number.isFinite(e.ts)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
