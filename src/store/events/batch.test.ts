import { describe, expect, it } from 'vitest';
import { MinewardenError } from '../../core/errors.ts';
import type { AlertEvent, DnsEvent, FlowEvent } from '../../model/events.ts';
import { BatchBuilder, transferList, type NumColumn } from './batch.ts';
import { columnsOf } from './columns.ts';

function dns(extra: Partial<DnsEvent> = {}): DnsEvent {
  return {
    kind: 'dns', ts: 1000, client: '10.0.0.1', site: 's', unit: 'u', via: null, name: 'a.example', qtype: 1, rcode: 0,
    outcome: 'blocked', reason: 'indicator', indicator: 'a.example', category: 'mining-pool', latencyUs: 5, ...extra,
  };
}

/** The error code `fn` throws (a MinewardenError), or 'no error'. */
function codeOf(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return e instanceof MinewardenError ? e.code : `not a MinewardenError: ${String(e)}`;
  }
  return 'no error';
}

describe('BatchBuilder', () => {
  it('fills one row per event, column by column, with codes as indexes', () => {
    const b = new BatchBuilder('dns', 4);
    b.add(dns());
    b.add(dns({ ts: 2000, outcome: 'forwarded', name: 'b.example', category: null }));
    const batch = b.take();
    expect(batch.kind).toBe('dns');
    expect(batch.n).toBe(2);
    expect(Object.keys(batch.cols)).toEqual(columnsOf('dns').map((c) => c.col));
    expect([...(batch.cols.ts as Float64Array).subarray(0, 2)]).toEqual([1000, 2000]);
    expect([...(batch.cols.outcome as Uint8Array).subarray(0, 2)]).toEqual([2, 10]);
    expect((batch.cols.name as Array<string | null>).slice(0, 2)).toEqual(['a.example', 'b.example']);
    expect((batch.cols.category as Array<string | null>).slice(0, 2)).toEqual(['mining-pool', null]);
    // take() starts a fresh batch; the buffers are transferable.
    expect(b.size).toBe(0);
    expect(transferList(batch).length).toBe(columnsOf('dns').filter((c) => c.type !== 'str' && c.type !== 'json').length);
  });

  it('throws MW_ERR_BAD_INPUT on a bad outcome or severity and adds nothing', () => {
    const b = new BatchBuilder('dns', 4);
    b.add(dns({ name: 'first.example' }));
    expect(codeOf(() => b.add(dns({ outcome: 'exploded' as DnsEvent['outcome'], name: 'bad.example' })))).toBe('MW_ERR_BAD_INPUT');
    expect(b.size).toBe(1);
    b.add(dns({ name: 'second.example', outcome: 'cached' }));
    const batch = b.take();
    expect(batch.n).toBe(2);
    expect((batch.cols.name as Array<string | null>).slice(0, 2)).toEqual(['first.example', 'second.example']);
    expect([...(batch.cols.outcome as Uint8Array).subarray(0, 2)]).toEqual([2, 1]);

    const a = new BatchBuilder('alert');
    const alert: AlertEvent = { kind: 'alert', ts: 1, client: 'c', detector: 'd', severity: 'urgent' as AlertEvent['severity'], title: 't', evidence: {} };
    expect(codeOf(() => a.add(alert))).toBe('MW_ERR_BAD_INPUT');
    expect(a.size).toBe(0);
  });

  it('stores a missing required string as empty and a missing optional one as null', () => {
    const b = new BatchBuilder('alert');
    b.add({ kind: 'alert', ts: 1, client: undefined, severity: 'low', evidence: { a: 1 } } as unknown as AlertEvent);
    const batch = b.take();
    const col = (name: string): string | null | undefined => (batch.cols[name] as Array<string | null>)[0];
    expect(col('client')).toBe('');
    expect(col('site')).toBe('');
    expect(col('detector')).toBe('');
    expect(col('title')).toBe('');
    expect(col('unit')).toBeNull();
    expect(col('indicator')).toBeNull();
    expect(col('evidence')).toBe('{"a":1}');
  });

  it('stores non-finite, negative or non-number numbers as 0', () => {
    const b = new BatchBuilder('flow');
    const ev = {
      kind: 'flow', ts: Number.NaN, client: 'c', end: -5, src: 's', srcPort: Number.POSITIVE_INFINITY, dst: 'd', dstPort: '80',
      proto: 6, bytesOut: Number.NEGATIVE_INFINITY, pktsOut: -1, bytesIn: 2 ** 40, pktsIn: 3, sensor: 'x',
    } as unknown as FlowEvent;
    b.add(ev);
    const batch = b.take();
    const n = (name: string): number => (batch.cols[name] as NumColumn)[0]!;
    expect(n('ts')).toBe(0);
    expect(n('ts_end')).toBe(0);
    expect(n('src_port')).toBe(0);
    expect(n('dst_port')).toBe(0);
    expect(n('bytes_out')).toBe(0);
    expect(n('pkts_out')).toBe(0);
    expect(n('proto')).toBe(6);
    expect(n('bytes_in')).toBe(2 ** 40);
    expect(n('pkts_in')).toBe(3);
  });

  it('reports full at capacity', () => {
    const b = new BatchBuilder('dns', 2);
    b.add(dns());
    expect(b.full).toBe(false);
    b.add(dns());
    expect(b.full).toBe(true);
    expect(b.take().n).toBe(2);
    expect(b.full).toBe(false);
  });
});
