/**
 * readPcap: one capture file → FlowEvent, DnsEvent, HttpEvent, TlsEvent into an EventOutput, plus
 * the JSON-RPC payload messages and HTTP records through callbacks. The file is read in chunks
 * into one reused buffer (grown only for a record larger than it), so memory stays bounded
 * whatever the file size; the pace follows the output (record() false → await drained()).
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FlowEvent, MinewardenEvent } from '../../model/events.ts';
import type { EventOutput, SensorHealth } from '../types.ts';
import { AppLayer, type AppOptions, type PayloadMessage, type PcapHttp } from './apps/index.ts';
import { MAX_RECORD, PcapDecoder } from './file.ts';
import { FlowTable, type Flow, type FlowOptions } from './flows.ts';
import { Decoded, Res, decodeAt } from './packet.ts';

export interface ReadPcapOptions {
  site?: string;
  /** Which side of a flow is ours (the event's client); default RFC 1918, CGNAT, ULA, loopback, link-local. */
  isInternal?: (ip: string) => boolean;
  onPayload?: (m: PayloadMessage) => void;
  onHttp?: (h: PcapHttp) => void;
  health: SensorHealth;
  signal?: AbortSignal;
  flows?: FlowOptions;
  apps?: AppOptions;
  /** Read size (default 1 MiB). */
  chunkBytes?: number;
  /** Sensor name in the events (default `pcap:<file name>`). */
  sensor?: string;
}

export interface PcapSummary {
  file: string;
  format: 'pcap' | 'pcapng' | 'unknown';
  packets: number;
  /** Wire bytes of all packets. */
  bytes: number;
  /** Frames that carried no IP (ARP, LLDP, …). */
  notIp: number;
  /** Non-first IP fragments (skipped). */
  fragments: number;
  malformed: number;
  unsupportedLink: number;
  /** The file ends inside a record. */
  truncated: boolean;
  /** Why reading stopped early (not a capture, a corrupt record), or null. */
  error: string | null;
  flows: number;
  evictedFlows: number;
  events: { flow: number; dns: number; http: number; tls: number };
  payloadMessages: number;
  aborted: boolean;
}

export async function readPcap(path: string, output: EventOutput, opts: ReadPcapOptions): Promise<PcapSummary> {
  const file = basename(path);
  const health = opts.health;
  const site = opts.site ?? '';
  const sensor = opts.sensor ?? `pcap:${file}`;
  const sum: PcapSummary = { file, format: 'unknown', packets: 0, bytes: 0, notIp: 0, fragments: 0, malformed: 0, unsupportedLink: 0, truncated: false, error: null, flows: 0, evictedFlows: 0, events: { flow: 0, dns: 0, http: 0, tls: 0 }, payloadMessages: 0, aborted: false };
  let behind = false;
  // Events are counted into health once per chunk: ok() reads the clock and rolls its rate
  // buckets, which per event was a measurable share of an event-heavy capture.
  let produced = 0;
  const record = (ev: MinewardenEvent): void => {
    if (!output.record(ev)) behind = true;
    produced++;
  };
  const isInternal = opts.isInternal;
  const emitFlow = (f: Flow): void => {
    const a = f.aText();
    const b = f.bText();
    const aIn = isInternal ? isInternal(a) : internalWords(f.a, f.ipv);
    const bIn = isInternal ? isInternal(b) : internalWords(f.b, f.ipv);
    const ev: FlowEvent = {
      kind: 'flow', ts: Math.floor(f.firstUs / 1000), end: Math.floor(f.lastUs / 1000), client: aIn || !bIn ? a : b, site,
      src: a, srcPort: f.aPort, dst: b, dstPort: f.bPort, proto: f.proto,
      bytesOut: f.bytesA, pktsOut: f.pktsA, bytesIn: f.bytesB, pktsIn: f.pktsB, tcpState: f.tcpState(), sensor,
    };
    sum.events.flow++;
    record(ev);
  };
  const apps = new AppLayer({ site, sensor }, {
    dns: (ev) => (sum.events.dns++, record(ev)),
    tls: (ev) => (sum.events.tls++, record(ev)),
    http: (h) => {
      sum.events.http++;
      record(h.event);
      opts.onHttp?.(h);
    },
    payload: (m) => {
      sum.payloadMessages++;
      opts.onPayload?.(m);
    },
    bad: (reason, sample) => health.bad(reason, sample),
  }, opts.apps);
  const table = new FlowTable(apps, emitFlow, opts.flows);
  const d = new Decoded();
  const dec = new PcapDecoder();
  const p = dec.pkt;
  let badLink = -1;

  const fh = await open(path, 'r');
  try {
    let buf = new Uint8Array(Math.max(4096, opts.chunkBytes ?? 1 << 20));
    let start = 0;
    let end = 0;
    let eof = false;
    for (;;) {
      if (opts.signal?.aborted) {
        sum.aborted = true;
        break;
      }
      if (start > 0) {
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
      }
      if (dec.need > buf.length && dec.need <= MAX_RECORD + 64) {
        const grown = new Uint8Array(dec.need);
        grown.set(buf.subarray(0, end));
        buf = grown;
      }
      const { bytesRead } = await fh.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) eof = true;
      end += bytesRead;
      let n = 0;
      while ((n = dec.next(buf, start, end)) >= 0) {
        start = n;
        if (!dec.emitted) continue;
        sum.packets++;
        sum.bytes += p.origLen;
        const r = decodeAt(p.buf, p.off, p.off + p.len, p.linktype, d);
        if (r === Res.Ok) table.add(d, p.tsUs);
        else if (r === Res.NotIp) sum.notIp++;
        else if (r === Res.Fragment) sum.fragments++;
        else if (r === Res.Malformed) {
          sum.malformed++;
          health.bad('malformed packet', p.buf.subarray(p.off, p.off + Math.min(64, p.len)));
        } else {
          sum.unsupportedLink++;
          if (badLink !== p.linktype) health.bad(`unsupported link type ${p.linktype}`);
          badLink = p.linktype;
        }
      }
      if (produced > 0) {
        health.ok(produced);
        produced = 0;
      }
      if (n === -2) break;
      if (eof) break;
      if (behind) {
        behind = false;
        await output.drained();
      }
    }
    sum.format = dec.format;
    sum.error = dec.error;
    if (dec.error !== null) health.bad(`${file}: ${dec.error}`);
    sum.malformed += dec.badBlocks;
    // Reported once: every complete record before the cut was read.
    if (eof && dec.error === null && start < end) {
      sum.truncated = true;
      health.bad(`${file}: truncated capture (${end - start} bytes of an incomplete record)`);
    }
  } finally {
    await fh.close();
  }
  table.flush();
  if (produced > 0) health.ok(produced);
  sum.flows = table.created;
  sum.evictedFlows = table.evicted;
  if (behind) await output.drained();
  return sum;
}

/** RFC 1918, CGNAT (RFC 6598), loopback, link-local; ULA (RFC 4193), ::1, fe80::/10. */
export function internalWords(w: Uint32Array, v: number): boolean {
  if (v === 4) {
    const a = w[3]!;
    const o = a >>> 24;
    return o === 10 || o === 127 || (a & 0xfff00000) >>> 0 === 0xac100000 || (a & 0xffff0000) >>> 0 === 0xc0a80000 || (a & 0xffc00000) >>> 0 === 0x64400000 || (a & 0xffff0000) >>> 0 === 0xa9fe0000;
  }
  const top = w[0]! >>> 16;
  if ((top & 0xfe00) === 0xfc00 || (top & 0xffc0) === 0xfe80) return true;
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 1) return true;
  // IPv4-mapped (::ffff:a.b.c.d): judge the IPv4 address.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) return internalWords(w, 4);
  return false;
}
