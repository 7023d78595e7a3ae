/**
 * One-shot reading with the kind detected from the bytes, on the real captures and logs of
 * ../shared/testdata: what each kind is taken for, and what each produces.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostName, MinewardenEvent } from '../model/events.ts';
import { silentLogger } from '../core/log.ts';
import { detectKind, readFiles } from './read.ts';
import { internalTest, type SensorContext } from './runtime.ts';

const DATA = new URL('../../../shared/testdata/', import.meta.url).pathname;

function collecting(): SensorContext & { events: MinewardenEvent[]; names: HostName[] } {
  const events: MinewardenEvent[] = [];
  const names: HostName[] = [];
  return {
    events, names, log: silentLogger(),
    isInternal: internalTest(() => null, []),
    output: { record: (e) => events.push(e) > 0, noteHostName: (_c, _s, n) => void names.push(n), drained: () => Promise.resolve() },
  };
}

describe('detectKind', () => {
  it('tells captures, flow exports, Zeek, EVE and event files apart by content', async () => {
    expect(await detectKind(join(DATA, 'pcap/stratum_xmrig_rx0.pcap'))).toBe('pcap');
    expect(await detectKind(join(DATA, 'netflow/netflow_v5_softflowd.pcap'))).toBe('netflow');
    expect(await detectKind(join(DATA, 'netflow/netflow_v9_softflowd.pcap'))).toBe('netflow');
    expect(await detectKind(join(DATA, 'suricata/stratum_xmrig_rx0.eve.json'))).toBe('suricata');
    expect(await detectKind(join(DATA, 'zeek/rita-json'))).toBe('zeek');
    expect(await detectKind(join(DATA, 'zeek/wikipedia/conn.log'))).toBe('zeek');
    expect(await detectKind(join(DATA, 'zeek/rita-json/conn.log'))).toBe('zeek');
    const dir = mkdtempSync(join(tmpdir(), 'mw-read-'));
    writeFileSync(join(dir, 'events.jsonl'), '{"kind":"dns","ts":1,"client":"10.0.0.1","name":"a.test","qtype":1,"rcode":0,"outcome":"resolved","latencyUs":5}\n');
    expect(await detectKind(join(dir, 'events.jsonl'))).toBe('events');
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    await expect(detectKind(join(dir, 'notes.txt'))).rejects.toThrow(/cannot tell what this is .* --type/);
  });
});

describe('readFiles', () => {
  it('reads the Stratum capture: the DNS lookups of the pool and the connection to it', async () => {
    const ctx = collecting();
    const [r] = await readFiles([join(DATA, 'pcap/stratum_xmrig_rx0.pcap')], ctx);
    expect(r).toMatchObject({ kind: 'pcap', health: { errors: 0 } });
    expect(ctx.events.filter((e) => e.kind === 'dns').map((e) => e.kind === 'dns' && e.name)).toEqual(['pool.supportxmr.com', 'pool.supportxmr.com']);
    expect(ctx.events.find((e) => e.kind === 'flow' && e.dstPort === 3333)).toMatchObject({ proto: 6, pktsOut: 15, pktsIn: 10, tcpState: 'SAF' });
  });

  it('replays NetFlow exports captured in a pcap: every v5 record of softflowd, both directions joined', async () => {
    const ctx = collecting();
    const [r] = await readFiles([join(DATA, 'netflow/netflow_v5_softflowd.pcap')], ctx);
    expect(r).toMatchObject({ kind: 'netflow', health: { errors: 0 } });
    const flows = ctx.events.filter((e) => e.kind === 'flow');
    expect(flows.length).toBeGreaterThan(200);
    // The CSV ground truth holds 434 records; joined, each conversation is one event carrying both directions.
    const records = flows.reduce((n, f) => n + (f.kind === 'flow' ? (f.pktsOut > 0 ? 1 : 0) + (f.pktsIn > 0 ? 1 : 0) : 0), 0);
    expect(records).toBe(434);
    expect(flows.find((f) => f.kind === 'flow' && f.dst === '185.71.66.20' && f.dstPort === 6666)).toMatchObject({ src: '147.229.13.222', bytesOut: 19520, bytesIn: 3709 });
  });

  it('reads Suricata EVE and a folder of Zeek JSON logs, and the kind can be forced', async () => {
    const ctx = collecting();
    const rs = await readFiles([join(DATA, 'suricata/stratum_xmrig_rx0.eve.json'), join(DATA, 'zeek/rita-json')], ctx);
    expect(rs.map((r) => [r.kind, r.health.events, r.health.errors])).toEqual([['suricata', 4, 0], ['zeek', 182, 0]]);
    const forced = collecting();
    const [p] = await readFiles([join(DATA, 'netflow/netflow_v9_softflowd.pcap')], forced, { kind: 'pcap' });
    expect(p).toMatchObject({ kind: 'pcap' });
    expect(forced.events).toHaveLength(1); // the export stream itself, as one UDP flow
  });
});
