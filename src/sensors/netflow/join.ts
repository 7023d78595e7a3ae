/**
 * Joins the two one-way records of a conversation (A→B, then B→A with the ports swapped) into one
 * FlowEvent. NetFlow v5/v9 and most IPFIX exporters report each direction separately, usually in
 * the same or the next packet; a record waits up to `windowMs` (by arrival) for its partner and is
 * then emitted alone. A biflow record (RFC 5103) already carries both directions and is emitted at once.
 *
 * Who initiated (src/dst of the event), first rule that decides:
 *  1. TCP: the side whose SYN came without ACK when the other's did not (a reject: "S" one way,
 *     "RA" back; a half-open: "S" and "SA"), else the side with a SYN when the other has none;
 *  2. the earlier start time;
 *  3. the side with the higher port (the ephemeral one), i.e. the destination is the lower, service port;
 *  4. otherwise the record that arrived first.
 * The event's `client` is the internal side (isInternal), the initiator when both or neither are.
 */
import type { FlowEvent } from '../../model/events.ts';
import { isInternalDefault } from '../net.ts';
import type { FlowRecord } from './record.ts';

export interface JoinOptions {
  /** How long a one-way record waits for its reply direction. Default 2000 ms. */
  windowMs?: number;
  /** Which side is ours; default RFC 1918, CGNAT, ULA, loopback, link-local. */
  isInternal?: (ip: string) => boolean;
  /** Site key put on every event. */
  site?: string;
}

interface Waiting {
  rec: FlowRecord;
  deadline: number;
}

const SYN = 0x02;
const ACK = 0x10;

export class FlowJoiner {
  private readonly windowMs: number;
  private readonly isInternal: (ip: string) => boolean;
  private readonly site: string | undefined;
  /** Insertion order = arrival order, so expiry scans stop at the first live entry. */
  private readonly waiting = new Map<string, Waiting>();

  constructor(opts: JoinOptions = {}) {
    this.windowMs = opts.windowMs ?? 2000;
    this.isInternal = opts.isInternal ?? isInternalDefault;
    this.site = opts.site;
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Take one record; returns the events it completes (0, 1 or 2). */
  push(rec: FlowRecord, now: number): FlowEvent[] {
    if (rec.revBytes > 0 || rec.revPackets > 0) return [this.event(rec, null)];
    // One key for both directions (endpoints in a fixed order): one string and one lookup per record.
    const ab = rec.src < rec.dst || (rec.src === rec.dst && rec.srcPort <= rec.dstPort);
    const key = ab
      ? `${rec.exporter}|${rec.proto}|${rec.src}|${rec.srcPort}|${rec.dst}|${rec.dstPort}`
      : `${rec.exporter}|${rec.proto}|${rec.dst}|${rec.dstPort}|${rec.src}|${rec.srcPort}`;
    const other = this.waiting.get(key);
    if (other === undefined) {
      this.waiting.set(key, { rec, deadline: now + this.windowMs });
      return [];
    }
    this.waiting.delete(key);
    if (other.rec.src !== rec.src || other.rec.srcPort !== rec.srcPort) return [this.event(other.rec, rec)];
    // The same direction again (an active-timeout export of a long flow): the first goes out alone.
    this.waiting.set(key, { rec, deadline: now + this.windowMs });
    return [this.event(other.rec, null)];
  }

  /** Emit records whose window has passed (all of them when `all`). */
  flush(now: number, all = false): FlowEvent[] {
    const out: FlowEvent[] = [];
    for (const [k, w] of this.waiting) {
      if (!all && w.deadline > now) break;
      this.waiting.delete(k);
      out.push(this.event(w.rec, null));
    }
    return out;
  }

  private event(a: FlowRecord, b: FlowRecord | null): FlowEvent {
    let fwd = a;
    let back = b;
    if (b && initiatorIsSecond(a, b)) {
      fwd = b;
      back = a;
    }
    const src = fwd.src;
    const dst = fwd.dst;
    const client = this.isInternal(src) || !this.isInternal(dst) ? src : dst;
    const flags = fwd.tcpFlags | fwd.revTcpFlags | (back?.tcpFlags ?? 0);
    const ev: FlowEvent = {
      kind: 'flow',
      ts: back ? Math.min(fwd.start, back.start) : fwd.start,
      end: back ? Math.max(fwd.end, back.end) : fwd.end,
      client,
      src, srcPort: fwd.srcPort, dst, dstPort: fwd.dstPort, proto: fwd.proto,
      bytesOut: fwd.bytes, pktsOut: fwd.packets,
      bytesIn: back ? back.bytes : fwd.revBytes,
      pktsIn: back ? back.packets : fwd.revPackets,
      tcpState: fwd.proto === 6 ? tcpLetters(flags) : null,
      sensor: `netflow:${fwd.exporter}`,
    };
    if (this.site !== undefined) ev.site = this.site;
    return ev;
  }
}

function initiatorIsSecond(a: FlowRecord, b: FlowRecord): boolean {
  if (a.proto === 6) {
    const aSyn = (a.tcpFlags & SYN) !== 0 && (a.tcpFlags & ACK) === 0 ? 1 : (a.tcpFlags & SYN) !== 0 ? 0.5 : 0;
    const bSyn = (b.tcpFlags & SYN) !== 0 && (b.tcpFlags & ACK) === 0 ? 1 : (b.tcpFlags & SYN) !== 0 ? 0.5 : 0;
    if (aSyn !== bSyn) return bSyn > aSyn;
  }
  if (a.start !== b.start) return b.start < a.start;
  if (a.srcPort !== b.srcPort) return b.srcPort > a.srcPort;
  return false;
}

const LETTERS: [number, string][] = [[0x02, 'S'], [0x10, 'A'], [0x01, 'F'], [0x04, 'R'], [0x08, 'P'], [0x20, 'U'], [0x40, 'E'], [0x80, 'C']];

/** TCP flags as letters in a fixed order: S A F R P U E C ("SAF", "S" for a bare SYN, "SAR" for a reset). */
export function tcpLetters(flags: number): string {
  let s = '';
  for (const [bit, l] of LETTERS) if (flags & bit) s += l;
  return s;
}
