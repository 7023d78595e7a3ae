/**
 * One v9/IPFIX data record → a FlowRecord (or, for an options record, a sampling rate). Fields are
 * read into one reused scratch accumulator, so a record costs its FlowRecord and its two address
 * strings and nothing per field.
 */
import type { TimeBase } from './cache.ts';
import { ipv4At, ipv6At } from '../net.ts';
import { K, VARLEN, uintAt, type Template } from './template.ts';

/** One flow as an exporter reported it, one direction (plus the reverse counters of a biflow). */
export interface FlowRecord {
  exporter: string;
  version: 5 | 9 | 10;
  /** v9 source id / IPFIX observation domain id (v5: engine type << 8 | engine id). */
  domain: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  proto: number;
  /** Sampling already applied. */
  bytes: number;
  packets: number;
  tcpFlags: number;
  /** ms epoch. */
  start: number;
  end: number;
  /** Reply direction counters (RFC 5103 biflow, or post counters with postAsReverse); 0 when none. */
  revBytes: number;
  revPackets: number;
  revTcpFlags: number;
  /** The multiplier applied to bytes and packets (1 = unsampled). */
  sampling: number;
}

/** RFC 7011 §6.1.9: NTP era-0 seconds are counted from 1900. */
const NTP_UNIX_OFFSET = 2_208_988_800;

class Acc {
  bytes = 0; pkts = 0; proto = 0; flags = 0; sport = 0; dport = 0;
  srcOff = -1; srcV6 = false; dstOff = -1; dstV6 = false;
  firstUp = -1; lastUp = -1; start = NaN; end = NaN;
  postBytes = 0; postPkts = 0; totalBytes = 0; totalPkts = 0;
  sampling = 0; sampInterval = 0; sampSpace = 0; sysInit = NaN;
  revBytes = 0; revPkts = 0; revFlags = 0; icmp = -1;
  hasBytes = false; hasPkts = false;
  reset(): void {
    this.bytes = this.pkts = this.proto = this.flags = this.sport = this.dport = 0;
    this.srcOff = this.dstOff = this.firstUp = this.lastUp = -1;
    this.srcV6 = this.dstV6 = this.hasBytes = this.hasPkts = false;
    this.start = this.end = this.sysInit = NaN;
    this.postBytes = this.postPkts = this.totalBytes = this.totalPkts = 0;
    this.sampling = this.sampInterval = this.sampSpace = 0;
    this.revBytes = this.revPkts = this.revFlags = 0;
    this.icmp = -1;
  }
}
const acc = new Acc();

function field(b: Uint8Array, k: K, p: number, len: number): void {
  switch (k) {
    case K.Skip: return;
    case K.Bytes: acc.bytes = uintAt(b, p, len); acc.hasBytes = true; return;
    case K.Pkts: acc.pkts = uintAt(b, p, len); acc.hasPkts = true; return;
    case K.Proto: acc.proto = b[p + len - 1]!; return;
    case K.Flags: acc.flags = b[p + len - 1]!; return; // 2-byte IPFIX form: the low byte holds the classic flags
    case K.SrcPort: acc.sport = uintAt(b, p, len) & 0xffff; return;
    case K.DstPort: acc.dport = uintAt(b, p, len) & 0xffff; return;
    case K.Src4: acc.srcOff = p; acc.srcV6 = false; return;
    case K.Dst4: acc.dstOff = p; acc.dstV6 = false; return;
    case K.Src6: acc.srcOff = p; acc.srcV6 = true; return;
    case K.Dst6: acc.dstOff = p; acc.dstV6 = true; return;
    case K.FirstUp: acc.firstUp = uintAt(b, p, len); return;
    case K.LastUp: acc.lastUp = uintAt(b, p, len); return;
    case K.StartS: acc.start = uintAt(b, p, len) * 1000; return;
    case K.EndS: acc.end = uintAt(b, p, len) * 1000; return;
    case K.StartMs: acc.start = uintAt(b, p, len); return;
    case K.EndMs: acc.end = uintAt(b, p, len); return;
    case K.StartNtp: acc.start = ntp(b, p); return;
    case K.EndNtp: acc.end = ntp(b, p); return;
    case K.PostBytes: acc.postBytes = uintAt(b, p, len); return;
    case K.PostPkts: acc.postPkts = uintAt(b, p, len); return;
    case K.TotalBytes: acc.totalBytes = uintAt(b, p, len); return;
    case K.TotalPkts: acc.totalPkts = uintAt(b, p, len); return;
    case K.Sampling: acc.sampling = uintAt(b, p, len); return;
    case K.SampPktInterval: acc.sampInterval = uintAt(b, p, len); return;
    case K.SampPktSpace: acc.sampSpace = uintAt(b, p, len); return;
    case K.SysInitMs: acc.sysInit = uintAt(b, p, len); return;
    case K.RevBytes: acc.revBytes = uintAt(b, p, len); return;
    case K.RevPkts: acc.revPkts = uintAt(b, p, len); return;
    case K.RevFlags: acc.revFlags = b[p + len - 1]!; return;
    case K.IcmpTypeCode: acc.icmp = uintAt(b, p, len) & 0xffff; return;
  }
}

function ntp(b: Uint8Array, p: number): number {
  const secs = uintAt(b, p, 4);
  const frac = uintAt(b, p + 4, 4);
  return (secs - NTP_UNIX_OFFSET) * 1000 + Math.floor((frac / 4294967296) * 1000);
}

/**
 * Read one record at p (the set ends at end). Returns the offset after it, or -1 when a field runs
 * past the set (the rest of the set is then unusable: its framing is lost).
 */
export function readRecord(b: Uint8Array, t: Template, p: number, end: number): number {
  acc.reset();
  if (t.fixedLen > 0) {
    if (p + t.fixedLen > end) return -1;
    const ks = t.hotKinds;
    for (let i = 0; i < ks.length; i++) field(b, ks[i]!, p + t.hotOffs[i]!, t.hotLens[i]!);
    return p + t.fixedLen;
  }
  const ks = t.kinds;
  for (let i = 0; i < ks.length; i++) {
    let len = t.lens[i]!;
    if (len === VARLEN) {
      // RFC 7011 §7: one length byte, or 255 then a two-byte length.
      if (p >= end) return -1;
      len = b[p++]!;
      if (len === 255) {
        if (p + 2 > end) return -1;
        len = (b[p]! << 8) | b[p + 1]!;
        p += 2;
      }
    }
    if (p + len > end) return -1;
    if (ks[i] !== K.Skip) field(b, ks[i]!, p, len);
    p += len;
  }
  return p;
}

/** The sampling rate an options record announces, 0 when it has none. */
export function optionsSampling(): number {
  if (acc.sampling > 0) return acc.sampling;
  // RFC 5476 §6.5.2: systematic count-based sampling selects samplingPacketInterval of every interval + space packets.
  if (acc.sampInterval > 0) return (acc.sampInterval + acc.sampSpace) / acc.sampInterval;
  return 0;
}

/** The record just read as a FlowRecord; null when it names no addresses. */
export function toFlow(
  b: Uint8Array, exporter: string, version: 9 | 10, domain: number, time: TimeBase, override: number, domainRate: number, postAsReverse: boolean,
): FlowRecord | null {
  const a = acc;
  if (a.srcOff < 0 || a.dstOff < 0) return null;
  // A configured rate wins, then the record's own samplingInterval, then the exporter's options record.
  const m = override > 0 ? override : a.sampling > 0 ? a.sampling : domainRate > 0 ? domainRate : 1;
  let bytes = a.hasBytes ? a.bytes : a.totalBytes;
  let packets = a.hasPkts ? a.pkts : a.totalPkts;
  let revBytes = a.revBytes;
  let revPackets = a.revPkts;
  if (postAsReverse) {
    revBytes ||= a.postBytes;
    revPackets ||= a.postPkts;
  } else {
    bytes ||= a.postBytes;
    packets ||= a.postPkts;
  }
  // sysUptime-relative times (IE 22/21): v9 from the header (RFC 3954 §5.1), IPFIX from IE 160 when sent.
  const boot = Number.isNaN(time.bootMs) ? a.sysInit : time.bootMs;
  let start = a.start;
  let end = a.end;
  if (Number.isNaN(start) && a.firstUp >= 0) start = upToEpoch(time, boot, a.firstUp);
  if (Number.isNaN(end) && a.lastUp >= 0) end = upToEpoch(time, boot, a.lastUp);
  if (Number.isNaN(start)) start = Number.isNaN(end) ? time.exportMs : end;
  if (Number.isNaN(end)) end = start;
  return {
    exporter, version, domain,
    src: a.srcV6 ? ipv6At(b, a.srcOff) : ipv4At(b, a.srcOff),
    dst: a.dstV6 ? ipv6At(b, a.dstOff) : ipv4At(b, a.dstOff),
    srcPort: a.sport, dstPort: a.icmp >= 0 && a.dport === 0 ? a.icmp : a.dport, proto: a.proto,
    bytes: bytes * m, packets: packets * m, tcpFlags: a.flags,
    start, end,
    revBytes: revBytes * m, revPackets: revPackets * m, revTcpFlags: a.revFlags,
    sampling: m,
  };
}

/**
 * sysUptime ms → epoch ms. The v9 header gives the export time and sysUptime at export, so boot =
 * export − uptime; the difference is taken modulo 2^32 (signed) so a wrapped uptime still lands.
 */
export function upToEpoch(time: TimeBase, boot: number, up: number): number {
  if (Number.isNaN(boot)) return time.exportMs;
  if (!Number.isNaN(time.bootMs)) {
    const uptimeAtExport = time.exportMs - time.bootMs;
    return time.exportMs - ((uptimeAtExport - up) | 0);
  }
  return boot + up;
}
