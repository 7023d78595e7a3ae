/**
 * The flow table: one entry per 5-tuple, both directions together. Lookup hashes the tuple
 * symmetrically and compares words, so a packet of a known flow allocates nothing. Flows sit on
 * one of two lists ordered by last activity (open, and closing after FIN both ways or a RST), so
 * the idle sweep and the eviction of the oldest flow look only at list heads.
 */
import { ACK, FIN, RST, SYN, TCP, formatIp, type Decoded } from './packet.ts';

export interface FlowOptions {
  /** Idle time that ends a flow, capture time (default 60 s). */
  idleUs?: number;
  /** How long a closed TCP flow lingers for its last ACKs (default 2 s). */
  lingerUs?: number;
  /** Live flows kept at most; the least recently active is ended early (default 200,000). */
  maxFlows?: number;
}

/** Flag letters in the order FlowEvent.tcpState writes them. */
const LETTERS: [number, string][] = [[SYN, 'S'], [ACK, 'A'], [FIN, 'F'], [RST, 'R']];

export class Flow {
  readonly a = new Uint32Array(4);
  readonly b = new Uint32Array(4);
  aPort = 0;
  bPort = 0;
  proto = 0;
  ipv = 0;
  firstUs = 0;
  lastUs = 0;
  pktsA = 0;
  bytesA = 0;
  pktsB = 0;
  bytesB = 0;
  flags = 0;
  finA = false;
  finB = false;
  closed = false;
  /** App-layer state, owned by the hooks. */
  app: unknown = null;
  hash = 0;
  hnext: Flow | null = null;
  prev: Flow | null = null;
  next: Flow | null = null;

  private aStr: string | null = null;
  private bStr: string | null = null;
  /** Initiator (a) address as text (made once, when first asked). */
  aText(): string {
    return (this.aStr ??= formatIp(this.a, this.ipv));
  }
  bText(): string {
    return (this.bStr ??= formatIp(this.b, this.ipv));
  }
  tcpState(): string | null {
    if (this.proto !== TCP) return null;
    let s = '';
    for (let i = 0; i < LETTERS.length; i++) if (this.flags & LETTERS[i]![0]) s += LETTERS[i]![1];
    return s;
  }
}

export interface FlowHooks {
  /** A packet of flow f (fromA: sent by the initiator), after the counters were updated. */
  packet(f: Flow, fromA: boolean, d: Decoded, tsUs: number): void;
  /** f ends (its FlowEvent follows). */
  end(f: Flow): void;
}

class List {
  head: Flow | null = null;
  tail: Flow | null = null;
  push(f: Flow): void {
    f.prev = this.tail;
    f.next = null;
    if (this.tail) this.tail.next = f;
    else this.head = f;
    this.tail = f;
  }
  remove(f: Flow): void {
    if (f.prev) f.prev.next = f.next;
    else this.head = f.next;
    if (f.next) f.next.prev = f.prev;
    else this.tail = f.prev;
    f.prev = f.next = null;
  }
}

/** Initial bucket count (a power of two); doubled when flows outnumber buckets. */
const INITIAL_BUCKETS = 1024;

export class FlowTable {
  /**
   * Chained hash table indexed by the low bits of the tuple hash. An array rather than a
   * Map<number, Flow>: the hash is an unsigned 32-bit value, which V8 boxes as a heap number for
   * a Map key (an allocation and a slow hash per packet; it was the table's largest cost).
   */
  private buckets: (Flow | null)[] = new Array<Flow | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  private readonly open = new List();
  private readonly closing = new List();
  size = 0;
  evicted = 0;
  created = 0;
  private readonly idleUs: number;
  private readonly lingerUs: number;
  private readonly maxFlows: number;

  constructor(
    private readonly hooks: FlowHooks,
    private readonly emit: (f: Flow) => void,
    opts: FlowOptions = {},
  ) {
    this.idleUs = opts.idleUs ?? 60_000_000;
    this.lingerUs = opts.lingerUs ?? 2_000_000;
    this.maxFlows = Math.max(1, opts.maxFlows ?? 200_000);
  }

  /** Accounts one decoded packet (wire length `len`) at capture time tsUs. */
  add(d: Decoded, tsUs: number): void {
    this.expire(tsUs);
    const h = tupleHash(d);
    let f: Flow | null = this.buckets[h & this.mask]!;
    let fromA = true;
    for (; f !== null; f = f.hnext) {
      if (f.hash !== h || f.proto !== d.proto) continue;
      if (f.aPort === d.sport && f.bPort === d.dport && eq(f.a, d.src) && eq(f.b, d.dst)) break;
      if (f.aPort === d.dport && f.bPort === d.sport && eq(f.a, d.dst) && eq(f.b, d.src)) {
        fromA = false;
        break;
      }
    }
    const flags = d.tcpFlags;
    // A new SYN on a closed connection is port reuse: the old flow is over.
    if (f !== null && f.closed && (flags & (SYN | ACK)) === SYN) {
      this.finish(f);
      f = null;
    }
    const isNew = f === null;
    if (f === null) {
      f = this.create(d, h, tsUs);
      fromA = f.aPort === d.sport && eq(f.a, d.src);
    }
    const wasClosed = f.closed;
    if (tsUs > f.lastUs) f.lastUs = tsUs;
    if (fromA) {
      f.pktsA++;
      f.bytesA += d.ipLen;
    } else {
      f.pktsB++;
      f.bytesB += d.ipLen;
    }
    if (d.proto === TCP) {
      f.flags |= flags;
      if (flags & FIN) {
        if (fromA) f.finA = true;
        else f.finB = true;
      }
      if (flags & RST || (f.finA && f.finB)) f.closed = true;
    }
    // Moves f to the tail of its list (most recently active); a new flow is on none yet, and a
    // flow already at the tail of the right list (a run of packets of one flow) stays put.
    const to = f.closed ? this.closing : this.open;
    if (isNew) to.push(f);
    else if (wasClosed !== f.closed || to.tail !== f) {
      (wasClosed ? this.closing : this.open).remove(f);
      to.push(f);
    }
    this.hooks.packet(f, fromA, d, tsUs);
  }

  private create(d: Decoded, h: number, tsUs: number): Flow {
    if (this.size >= this.maxFlows) {
      const victim = this.closing.head ?? this.open.head;
      if (victim !== null) {
        this.evicted++;
        this.finish(victim);
      }
    }
    const f = new Flow();
    // The initiator is the SYN sender; a SYN-ACK seen first means its receiver initiated.
    const synAck = d.proto === TCP && (d.tcpFlags & (SYN | ACK)) === (SYN | ACK);
    f.a.set(synAck ? d.dst : d.src);
    f.b.set(synAck ? d.src : d.dst);
    f.aPort = synAck ? d.dport : d.sport;
    f.bPort = synAck ? d.sport : d.dport;
    f.proto = d.proto;
    f.ipv = d.ipv;
    f.firstUs = f.lastUs = tsUs;
    f.hash = h;
    if (this.size >= this.buckets.length) this.grow();
    const i = h & this.mask;
    f.hnext = this.buckets[i]!;
    this.buckets[i] = f;
    this.size++;
    this.created++;
    return f;
  }

  /** Ends the flows idle (or lingering after close) longer than allowed at capture time now. */
  expire(nowUs: number): void {
    for (let f = this.open.head; f !== null && f.lastUs + this.idleUs < nowUs; f = this.open.head) this.finish(f);
    for (let f = this.closing.head; f !== null && f.lastUs + this.lingerUs < nowUs; f = this.closing.head) this.finish(f);
  }

  /** Ends every flow (end of file). */
  flush(): void {
    for (let f = this.closing.head; f !== null; f = this.closing.head) this.finish(f);
    for (let f = this.open.head; f !== null; f = this.open.head) this.finish(f);
  }

  private finish(f: Flow): void {
    (f.closed ? this.closing : this.open).remove(f);
    const i = f.hash & this.mask;
    let p: Flow | null = this.buckets[i]!;
    if (p === f) {
      this.buckets[i] = f.hnext;
    } else {
      while (p !== null && p.hnext !== f) p = p.hnext;
      if (p !== null) p.hnext = f.hnext;
    }
    f.hnext = null;
    this.size--;
    this.hooks.end(f);
    this.emit(f);
  }

  /** Doubles the bucket array and relinks every chain (amortised over the flows added). */
  private grow(): void {
    const old = this.buckets;
    const n = old.length * 2;
    this.buckets = new Array<Flow | null>(n).fill(null);
    this.mask = n - 1;
    for (let f of old) {
      while (f !== null) {
        const next = f.hnext;
        const i = f.hash & this.mask;
        f.hnext = this.buckets[i]!;
        this.buckets[i] = f;
        f = next;
      }
    }
  }
}

function eq(x: Uint32Array, y: Uint32Array): boolean {
  return x[3] === y[3] && x[2] === y[2] && x[1] === y[1] && x[0] === y[0];
}

/**
 * Symmetric (both directions hash alike) 30-bit hash of the 5-tuple: 30 bits so it is a small
 * integer in V8 (31-bit Smis under pointer compression) and never a boxed number in Flow.hash.
 */
function tupleHash(d: Decoded): number {
  const s = endHash(d.src, d.sport);
  const t = endHash(d.dst, d.dport);
  return Math.imul((s + t) ^ (s ^ t) ^ d.proto, 0x9e3779b1) >>> 2;
}

function endHash(w: Uint32Array, port: number): number {
  let h = Math.imul(w[3]! ^ 0x85ebca6b, 0xcc9e2d51);
  h = Math.imul(h ^ (h >>> 15) ^ w[2]!, 0x1b873593);
  h = Math.imul(h ^ (h >>> 13) ^ w[1]!, 0xcc9e2d51);
  h = Math.imul(h ^ (h >>> 16) ^ w[0]!, 0x1b873593);
  return (h ^ port ^ (h >>> 16)) | 0;
}
