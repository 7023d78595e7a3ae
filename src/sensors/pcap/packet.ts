/**
 * Link, network and transport headers, decoded into one reusable record (no allocation per
 * packet: addresses are kept as four 32-bit words, the payload as offsets into the frame).
 *
 * Link types (tcpdump.org/linktypes.html): 0 NULL/loopback (host-order AF), 108 LOOP (network
 * order), 1 Ethernet (802.1Q / 802.1ad / QinQ tags, stacked), 113 Linux SLL, 276 Linux SLL2,
 * 101 / 12 / 14 raw IP, 228 raw IPv4, 229 raw IPv6.
 */
import { u16, u32 } from './file.ts';

/** What decodeFrame found. */
export const Res = {
  Ok: 0,
  /** Not IP (ARP, LLDP, STP…): skipped, not an error. */
  NotIp: 1,
  /** An IPv4 or IPv6 fragment other than the first: no transport header, skipped and counted. */
  Fragment: 2,
  Malformed: 3,
  UnsupportedLink: 4,
} as const;
export type Res = (typeof Res)[keyof typeof Res];

export const TCP = 6;
export const UDP = 17;

/** TCP flag bits (RFC 9293 §3.1). */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

export class Decoded {
  frame: Uint8Array = new Uint8Array(0);
  /** 4 or 6. */
  ipv = 0;
  /** Addresses as 4 words; IPv4 uses word 3 only (0,0,0,v4). */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  proto = 0;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  seq = 0;
  /** IP packet length as its header says (what NetFlow counts as octets). */
  ipLen = 0;
  /** Transport payload, as offsets into `frame` (Ethernet padding excluded). */
  payOff = 0;
  payLen = 0;

  payload(): Uint8Array {
    return this.frame.subarray(this.payOff, this.payOff + this.payLen);
  }
}

const MAX_VLAN_TAGS = 4;

/** Decodes one frame into `d`. */
export function decodeFrame(frame: Uint8Array, linktype: number, d: Decoded): Res {
  return decodeAt(frame, 0, frame.length, linktype, d);
}

/**
 * Decodes the frame at f[off, end) into `d` (offsets in `d` are into f): the reader passes its
 * read buffer as is, so no view is made per packet.
 */
export function decodeAt(f: Uint8Array, off: number, end: number, linktype: number, d: Decoded): Res {
  d.frame = f;
  const n = end - off;
  switch (linktype) {
    case 1:
      return ethernet(f, off + 12, end, d);
    case 113:
      // SLL: packet type, ARPHRD, address length, 8 address bytes, then the protocol (ethertype).
      return n < 16 ? Res.Malformed : ethernet(f, off + 14, end, d);
    case 276:
      // SLL2: protocol first, then reserved, ifindex, ARPHRD, packet type, address (20 bytes).
      return n < 20 ? Res.Malformed : etherType(f, u16(f, off, false), off + 20, end, d);
    case 101:
    case 12:
    case 14:
      return n < 1 ? Res.Malformed : ipByVersion(f, off, end, d);
    case 228:
      return ipv4(f, off, end, d);
    case 229:
      return ipv6(f, off, end, d);
    case 0:
    case 108: {
      if (n < 4) return Res.Malformed;
      // NULL: AF in the capturing host's byte order; LOOP: network order. 2 = INET; the
      // INET6 value differs by OS (10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 Darwin).
      const af = linktype === 0 && f[off] === 0 && f[off + 1] === 0 ? u32(f, off, false) : linktype === 0 ? u32(f, off, true) : u32(f, off, false);
      if (af === 2) return ipv4(f, off + 4, end, d);
      if (af === 10 || af === 24 || af === 28 || af === 30) return ipv6(f, off + 4, end, d);
      return Res.NotIp;
    }
    default:
      return Res.UnsupportedLink;
  }
}

/** `typeAt` is the offset of the (first) ethertype field; `fe` the frame's end. */
function ethernet(f: Uint8Array, typeAt: number, fe: number, d: Decoded): Res {
  let at = typeAt;
  for (let tags = 0; ; tags++) {
    if (at + 2 > fe) return Res.Malformed;
    const t = (f[at]! << 8) | f[at + 1]!;
    // 802.1Q (0x8100), 802.1ad (0x88a8) and the pre-standard QinQ 0x9100: 4-byte tag, then
    // the next ethertype.
    if (t === 0x8100 || t === 0x88a8 || t === 0x9100) {
      if (tags >= MAX_VLAN_TAGS) return Res.Malformed;
      at += 4;
      continue;
    }
    return etherType(f, t, at + 2, fe, d);
  }
}

function etherType(f: Uint8Array, t: number, at: number, fe: number, d: Decoded): Res {
  if (t === 0x0800) return ipv4(f, at, fe, d);
  if (t === 0x86dd) return ipv6(f, at, fe, d);
  return Res.NotIp;
}

function ipByVersion(f: Uint8Array, at: number, fe: number, d: Decoded): Res {
  const v = f[at]! >> 4;
  if (v === 4) return ipv4(f, at, fe, d);
  if (v === 6) return ipv6(f, at, fe, d);
  return Res.NotIp;
}

function ipv4(f: Uint8Array, at: number, fe: number, d: Decoded): Res {
  if (at + 20 > fe || f[at]! >> 4 !== 4) return Res.Malformed;
  const ihl = (f[at]! & 0x0f) * 4;
  if (ihl < 20 || at + ihl > fe) return Res.Malformed;
  let total = (f[at + 2]! << 8) | f[at + 3]!;
  // A zero total length appears with TCP segmentation offload: take what was captured.
  if (total === 0) total = fe - at;
  if (total < ihl) return Res.Malformed;
  d.ipv = 4;
  d.ipLen = total;
  const src = d.src;
  const dst = d.dst;
  src[0] = src[1] = src[2] = 0;
  dst[0] = dst[1] = dst[2] = 0;
  src[3] = u32(f, at + 12, false);
  dst[3] = u32(f, at + 16, false);
  d.proto = f[at + 9]!;
  // RFC 791: fragment offset in 8-byte units; only the first fragment carries the L4 header.
  if ((((f[at + 6]! << 8) | f[at + 7]!) & 0x1fff) !== 0) return Res.Fragment;
  const end = Math.min(at + total, fe);
  return transport(f, at + ihl, end, d);
}

function ipv6(f: Uint8Array, at: number, fe: number, d: Decoded): Res {
  if (at + 40 > fe || f[at]! >> 4 !== 6) return Res.Malformed;
  const plen = u16(f, at + 4, false);
  // Payload length 0 = jumbogram (RFC 2675) or offload: take what was captured.
  const total = plen === 0 ? fe - at : 40 + plen;
  d.ipv = 6;
  d.ipLen = total;
  for (let i = 0; i < 4; i++) {
    d.src[i] = u32(f, at + 8 + i * 4, false);
    d.dst[i] = u32(f, at + 24 + i * 4, false);
  }
  const end = Math.min(at + total, fe);
  let next = f[at + 6]!;
  let o = at + 40;
  // RFC 8200 §4: walk the extension headers to the upper-layer header.
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (o + 8 > end) return Res.Malformed;
      next = f[o]!;
      o += (f[o + 1]! + 1) * 8;
    } else if (next === 44) {
      // Fragment header (RFC 8200 §4.5): 8 bytes; offset in the high 13 bits of bytes 2–3.
      if (o + 8 > end) return Res.Malformed;
      if ((u16(f, o + 2, false) & 0xfff8) !== 0) {
        d.proto = f[o]!;
        return Res.Fragment;
      }
      next = f[o]!;
      o += 8;
    } else if (next === 51) {
      // AH (RFC 4302): length in 4-byte units minus 2.
      if (o + 8 > end) return Res.Malformed;
      next = f[o]!;
      o += (f[o + 1]! + 2) * 4;
    } else {
      break;
    }
  }
  if (o > end) return Res.Malformed;
  d.proto = next;
  return transport(f, o, end, d);
}

function transport(f: Uint8Array, at: number, end: number, d: Decoded): Res {
  d.tcpFlags = 0;
  d.seq = 0;
  if (d.proto === TCP) {
    if (at + 20 > end) return Res.Malformed;
    const off = (f[at + 12]! >> 4) * 4;
    if (off < 20 || at + off > end) return Res.Malformed;
    d.sport = (f[at]! << 8) | f[at + 1]!;
    d.dport = (f[at + 2]! << 8) | f[at + 3]!;
    d.seq = u32(f, at + 4, false);
    d.tcpFlags = f[at + 13]!;
    d.payOff = at + off;
    d.payLen = end - d.payOff;
    return Res.Ok;
  }
  if (d.proto === UDP) {
    if (at + 8 > end) return Res.Malformed;
    d.sport = u16(f, at, false);
    d.dport = u16(f, at + 2, false);
    const ulen = u16(f, at + 4, false);
    d.payOff = at + 8;
    // The UDP length bounds the payload when it is sane (RFC 768); else take what is there.
    d.payLen = ulen >= 8 && at + ulen <= end ? ulen - 8 : end - d.payOff;
    return Res.Ok;
  }
  // ICMP, GRE, ESP, …: a flow without ports.
  d.sport = 0;
  d.dport = 0;
  d.payOff = at;
  d.payLen = Math.max(0, end - at);
  return Res.Ok;
}

/** Text form of an address held as four words (IPv4 in word 3). */
export function formatIp(w: ArrayLike<number>, v: number): string {
  if (v === 4) {
    const a = w[3]!;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) parts.push(((w[i]! >>> 16) & 0xffff).toString(16), (w[i]! & 0xffff).toString(16));
  // RFC 5952 §4.2.3: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}
