/**
 * Reading files once (`minewarden ingest`, and `analyze` later): each path's kind is named or
 * detected — a directory is Zeek logs; pcap/pcapng magic is a capture (or NetFlow exports inside
 * one, with --type netflow); a text file's first line tells Zeek TSV (#separator), Zeek JSON
 * (_path, id.orig_h), Suricata EVE (event_type) and Minewarden's own JSON events (kind). Each is
 * read by its sensor and reports what it produced and what it skipped.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { constants, inflateSync, gunzipSync } from 'node:zlib';
import { EveSensor } from './eve/index.ts';
import { recordJsonLines } from './jsonl.ts';
import { NetflowCollector } from './netflow/index.ts';
import { decodeFrame, Decoded, formatIp, packetsOf, PcapSensor, Res, type PayloadMessage, type PcapHttp } from './pcap/index.ts';
import type { SensorContext } from './runtime.ts';
import { SensorHealth, type SensorHealthView } from './types.ts';
import { ZeekSensor } from './zeek/index.ts';

export const FILE_KINDS = ['zeek', 'suricata', 'pcap', 'netflow', 'events'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export interface ReadResult {
  path: string;
  kind: FileKind;
  health: SensorHealthView;
}

const PCAP_MAGIC = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** The kind of a path, from what it holds. Throws with a clear message when it cannot tell. */
export async function detectKind(path: string): Promise<FileKind> {
  const st = await stat(path);
  if (st.isDirectory()) return 'zeek';
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head.length >= 4 && PCAP_MAGIC.has(head.readUInt32BE(0))) return holdsNetflow(head) ? 'netflow' : 'pcap';
  if (head[0] === 0x1f && head[1] === 0x8b) head = gunzipHead(head);
  const lines = head.toString('utf8').split('\n').slice(0, 20);
  if (lines.some((l) => l.startsWith('#separator') || l.startsWith('#fields'))) return 'zeek';
  const first = lines.find((l) => l.trim() !== '' && !l.startsWith('#')) ?? '';
  if (first.startsWith('{')) {
    if (/"event_type"\s*:/.test(first)) return 'suricata';
    if (/"_path"\s*:|"id\.orig_h"\s*:|"uid"\s*:/.test(first)) return 'zeek';
    if (/"kind"\s*:/.test(first)) return 'events';
  }
  throw new Error(`${path}: cannot tell what this is (not a pcap, Zeek log, EVE JSON or events file); name it with --type`);
}

/** Export ports: NetFlow 2055, 9995, 9996; IPFIX 4739 (RFC 7011 §10.3.4). */
const EXPORT_PORTS = new Set([2055, 9995, 9996, 4739]);

/**
 * A capture of flow exports rather than of traffic: its first UDP packets go to an export port and
 * start with a NetFlow v5/v9 or IPFIX version number.
 */
function holdsNetflow(head: Uint8Array): boolean {
  const d = new Decoded();
  let udp = 0;
  let exports = 0;
  for (const p of packetsOf(head)) {
    if (decodeFrame(p.data, p.linktype, d) !== Res.Ok || d.proto !== 17) continue;
    udp++;
    const pay = d.payload();
    const version = pay.length >= 2 ? (pay[0]! << 8) | pay[1]! : 0;
    if (EXPORT_PORTS.has(d.dport) && (version === 5 || version === 9 || version === 10)) exports++;
    if (udp >= 20) break;
  }
  return udp > 0 && exports === udp;
}

/** The start of a gzip stream, decompressed as far as the bytes go. */
function gunzipHead(b: Buffer): Buffer {
  try {
    return gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return inflateSync(b.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH });
  }
}

/** Reads each path once into the context's output; one result per path. */
export async function readFiles(paths: readonly string[], ctx: SensorContext, opts: { kind?: FileKind; site?: string } = {}): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for (const path of paths) {
    const kind = opts.kind ?? await detectKind(path);
    out.push({ path, kind, health: await readOne(path, kind, ctx, opts.site ?? '') });
  }
  return out;
}

async function readOne(path: string, kind: FileKind, ctx: SensorContext, site: string): Promise<SensorHealthView> {
  const isInternal = (ip: string): boolean => ctx.isInternal(ip, site);
  const onFile = ctx.onFile === undefined ? {} : { onFile: (f: Parameters<NonNullable<SensorContext['onFile']>>[0]) => ctx.onFile?.(f) };
  switch (kind) {
    case 'zeek': {
      const s = new ZeekSensor({ paths: [path], follow: false, site, isInternal, ...onFile }, ctx.output);
      await s.start();
      await s.done();
      return s.health();
    }
    case 'suricata': {
      const s = new EveSensor({ paths: [path], follow: false, site, isInternal, ...onFile }, ctx.output);
      await s.start();
      await s.done;
      await s.stop();
      return s.health();
    }
    case 'pcap': {
      const s = new PcapSensor({ paths: [path], site }, ctx.output, {
        isInternal,
        ...(ctx.onPayload === undefined ? {} : { onPayload: (m: PayloadMessage) => ctx.onPayload!(m) }),
        ...(ctx.onHttp === undefined ? {} : { onHttp: (h: PcapHttp) => ctx.onHttp!(h) }),
      });
      await s.start();
      await s.done;
      return s.health();
    }
    case 'netflow':
      return replayNetflow(path, ctx, site);
    case 'events':
      return readEvents(path, ctx);
  }
}

/** NetFlow/IPFIX exports captured in a pcap: every UDP payload is one export datagram from its sender. */
async function replayNetflow(path: string, ctx: SensorContext, site: string): Promise<SensorHealthView> {
  const c = new NetflowCollector({ id: `netflow:${basename(path)}`, listen: '127.0.0.1:0', site, isInternal: (ip) => ctx.isInternal(ip, site) }, ctx.output);
  const d = new Decoded();
  for (const p of packetsOf(await readFile(path))) {
    if (decodeFrame(p.data, p.linktype, d) !== Res.Ok || d.proto !== 17) continue;
    c.datagram(d.payload(), formatIp(d.src, d.ipv), Math.floor(p.tsUs / 1000));
  }
  c.drain();
  await ctx.output.drained();
  return c.health();
}

/** Minewarden's JSON events, one per line (what `events import` reads). */
async function readEvents(path: string, ctx: SensorContext): Promise<SensorHealthView> {
  const h = new SensorHealth(`events:${basename(path)}`, 'events');
  let buf = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  await recordJsonLines(buf.toString('utf8').split('\n'), ctx.output, h);
  return h.view();
}
