/**
 * Template compilation: a v9/IPFIX template (list of field type + length) becomes a plan of
 * (kind, offset, length) triples in typed arrays, so a data record is decoded by walking the plan
 * with byte reads and no per-field allocation. Only the fields a FlowEvent needs get a kind; every
 * other field (and every enterprise field but the RFC 5103 reverse ones) is skipped by its length.
 */

/** What a field means to us. 0 = skip. */
export enum K {
  Skip = 0,
  Bytes, Pkts, Proto, Flags, SrcPort, DstPort, Src4, Dst4, Src6, Dst6,
  FirstUp, LastUp, StartS, EndS, StartMs, EndMs, StartNtp, EndNtp,
  PostBytes, PostPkts, TotalBytes, TotalPkts,
  Sampling, SampPktInterval, SampPktSpace, SysInitMs,
  RevBytes, RevPkts, RevFlags, IcmpTypeCode,
}

/** IANA IPFIX IE number (= NetFlow v9 field type for 1..127) → kind. */
const IE: Record<number, K> = {
  1: K.Bytes, 2: K.Pkts, 4: K.Proto, 6: K.Flags, 7: K.SrcPort, 8: K.Src4, 11: K.DstPort, 12: K.Dst4,
  27: K.Src6, 28: K.Dst6, 21: K.LastUp, 22: K.FirstUp, 23: K.PostBytes, 24: K.PostPkts,
  // 34 samplingInterval; 50 samplerRandomInterval (v9 FLOW_SAMPLER_RANDOM_INTERVAL) means the same to us.
  34: K.Sampling, 50: K.Sampling, 85: K.TotalBytes, 86: K.TotalPkts,
  150: K.StartS, 151: K.EndS, 152: K.StartMs, 153: K.EndMs,
  // 154–157 are dateTimeMicroseconds/Nanoseconds: NTP format either way (RFC 7011 §6.1.9–10).
  154: K.StartNtp, 155: K.EndNtp, 156: K.StartNtp, 157: K.EndNtp,
  // icmpTypeCodeIPv4/IPv6: type << 8 | code, reported as the destination port as v5 does.
  32: K.IcmpTypeCode, 139: K.IcmpTypeCode,
  160: K.SysInitMs, 305: K.SampPktInterval, 306: K.SampPktSpace,
};

/** RFC 5103 §6.1: reverse IEs are the forward IE numbers under private enterprise 29305. */
export const REVERSE_PEN = 29305;
const REVERSE_IE: Record<number, K> = { 1: K.RevBytes, 2: K.RevPkts, 6: K.RevFlags };

/** RFC 7011 §7: length 65535 marks a variable-length field. */
export const VARLEN = 0xffff;

export interface Template {
  id: number;
  /** Options template: its records carry exporter facts (sampling), not flows. */
  options: boolean;
  kinds: Uint8Array;
  lens: Uint16Array;
  /** Offset of each field from the record start; -1 after the first variable-length field. */
  offs: Int32Array;
  /** Record length when every field is fixed; 0 when any is variable-length. */
  fixedLen: number;
  /** Fixed-length templates only: the fields we use (kind, offset, length), skipped ones left out. */
  hotKinds: Uint8Array;
  hotOffs: Int32Array;
  hotLens: Uint16Array;
  /** Shortest possible record (variable fields count 1 byte), to stop a set's padding loop. */
  minLen: number;
  /** ms epoch the template was last (re)announced. */
  seen: number;
}

export interface RawField {
  type: number;
  len: number;
  pen: number;
  /** v9 options scope fields use their own type space (RFC 3954 §6.1), never IEs. */
  scope: boolean;
}

export function compile(id: number, options: boolean, fields: RawField[], now: number): Template {
  const n = fields.length;
  const kinds = new Uint8Array(n);
  const lens = new Uint16Array(n);
  const offs = new Int32Array(n);
  let off = 0;
  let minLen = 0;
  let variable = false;
  for (let i = 0; i < n; i++) {
    const f = fields[i]!;
    let k = K.Skip;
    if (!f.scope) k = f.pen === 0 ? (IE[f.type] ?? K.Skip) : f.pen === REVERSE_PEN ? (REVERSE_IE[f.type] ?? K.Skip) : K.Skip;
    // A field whose length cannot hold what we read it as is skipped rather than misread.
    if (!lengthFits(k, f.len)) k = K.Skip;
    kinds[i] = k;
    lens[i] = f.len;
    offs[i] = variable ? -1 : off;
    if (f.len === VARLEN) {
      variable = true;
      minLen += 1;
    } else {
      off += f.len;
      minLen += f.len;
    }
  }
  const hot: number[] = [];
  for (let i = 0; i < n; i++) if (kinds[i] !== K.Skip) hot.push(i);
  const hotKinds = Uint8Array.from(hot, (i) => kinds[i]!);
  const hotOffs = Int32Array.from(hot, (i) => offs[i]!);
  const hotLens = Uint16Array.from(hot, (i) => lens[i]!);
  return { id, options, kinds, lens, offs, fixedLen: variable ? 0 : off, hotKinds, hotOffs, hotLens, minLen, seen: now };
}

function lengthFits(k: K, len: number): boolean {
  if (k === K.Skip) return true;
  if (k === K.Src4 || k === K.Dst4) return len === 4;
  if (k === K.Src6 || k === K.Dst6) return len === 16;
  if (k === K.StartNtp || k === K.EndNtp) return len === 8;
  // Unsigned integers, reduced-size encoding allowed (RFC 7011 §6.2).
  return len >= 1 && len <= 8;
}

/** Big-endian unsigned integer of 1–8 bytes as a number (exact to 2^53). */
export function uintAt(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + b[off + i]!;
  return v;
}
