/**
 * NetFlow v5, v9 (RFC 3954) and IPFIX (RFC 7011) packet decoding. Pure apart from the template
 * cache it is handed: no I/O, no clock (the caller passes `now`). Every read is bounds-checked;
 * a bad set or record is reported in `errors` and skipped, and nothing is thrown.
 */
import type { ExporterState, TemplateCache, TimeBase } from './cache.ts';
import { ipv4At } from '../net.ts';
import { optionsSampling, readRecord, toFlow, upToEpoch, type FlowRecord } from './record.ts';
import { compile, type RawField, type Template } from './template.ts';

export type { FlowRecord } from './record.ts';

export interface DecodeResult {
  flows: FlowRecord[];
  errors: string[];
}

interface Ctx {
  b: Uint8Array;
  cache: TemplateCache;
  s: ExporterState;
  version: 9 | 10;
  now: number;
  out: DecodeResult;
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Decode one export packet from `exporter` (its address, the template key). */
export function decodeNetflow(packet: Uint8Array, exporter: string, templates: TemplateCache, now: number): DecodeResult {
  const out: DecodeResult = { flows: [], errors: [] };
  if (packet.length < 4) {
    out.errors.push('short packet');
    return out;
  }
  const version = u16(packet, 0);
  const s = templates.exporter(exporter);
  for (const p of templates.expired(s, now)) out.errors.push(`no template ${p.setId} (domain ${p.domain})`);
  if (version === 5) decodeV5(packet, s, out);
  else if (version === 9 || version === 10) {
    const ctx: Ctx = { b: packet, cache: templates, s, version, now, out };
    if (version === 9) decodeV9(ctx);
    else decodeIpfix(ctx);
  } else out.errors.push(`unknown version ${version}`);
  return out;
}

/** v5: 24-byte header, then `count` 48-byte records (Cisco NetFlow v5 export format). */
function decodeV5(b: Uint8Array, s: ExporterState, out: DecodeResult): void {
  if (b.length < 24) {
    out.errors.push('v5: short header');
    return;
  }
  const count = u16(b, 2);
  const uptime = u32(b, 4);
  const exportMs = u32(b, 8) * 1000 + Math.floor(u32(b, 12) / 1e6);
  const time: TimeBase = { exportMs, bootMs: exportMs - uptime };
  const domain = u16(b, 20);
  // Top 2 bits: sampling mode; low 14: the interval (0 = unsampled).
  const interval = u16(b, 22) & 0x3fff;
  const m = s.override > 0 ? s.override : interval > 0 ? interval : 1;
  const fits = Math.floor((b.length - 24) / 48);
  if (count > fits) out.errors.push(`v5: header says ${count} records, ${fits} present`);
  const n = Math.min(count, fits);
  for (let i = 0, o = 24; i < n; i++, o += 48) {
    out.flows.push({
      exporter: s.address, version: 5, domain,
      src: ipv4At(b, o), dst: ipv4At(b, o + 4),
      srcPort: u16(b, o + 32), dstPort: u16(b, o + 34), proto: b[o + 38]!,
      bytes: u32(b, o + 20) * m, packets: u32(b, o + 16) * m, tcpFlags: b[o + 37]!,
      start: upToEpoch(time, time.bootMs, u32(b, o + 24)), end: upToEpoch(time, time.bootMs, u32(b, o + 28)),
      revBytes: 0, revPackets: 0, revTcpFlags: 0, sampling: m,
    });
  }
}

/** v9 header (RFC 3954 §5.1): version, count, sysUptime, unix secs, sequence, source id; then flowsets. */
function decodeV9(ctx: Ctx): void {
  const b = ctx.b;
  if (b.length < 20) return void ctx.out.errors.push('v9: short header');
  const uptime = u32(b, 4);
  const exportMs = u32(b, 8) * 1000;
  const time: TimeBase = { exportMs, bootMs: exportMs - uptime };
  sets(ctx, 20, b.length, u32(b, 16), time);
}

/** IPFIX message header (RFC 7011 §3.1): version, length, export time, sequence, observation domain. */
function decodeIpfix(ctx: Ctx): void {
  const b = ctx.b;
  if (b.length < 16) return void ctx.out.errors.push('ipfix: short header');
  const len = u16(b, 2);
  if (len < 16 || len > b.length) return void ctx.out.errors.push(`ipfix: message length ${len}, packet ${b.length}`);
  sets(ctx, 16, len, u32(b, 12), { exportMs: u32(b, 4) * 1000, bootMs: NaN });
}

function sets(ctx: Ctx, off: number, end: number, domain: number, time: TimeBase): void {
  const { b, out } = ctx;
  const v = ctx.version === 9 ? 'v9' : 'ipfix';
  while (off + 4 <= end) {
    const id = u16(b, off);
    const len = u16(b, off + 2);
    if (len < 4 || off + len > end) {
      out.errors.push(`${v}: set ${id} length ${len} runs past the packet`);
      return;
    }
    const body = off + 4;
    off += len;
    const tmpl = ctx.version === 9 ? 0 : 2;
    if (id === tmpl) templateSet(ctx, body, off, domain, false);
    else if (id === tmpl + 1) templateSet(ctx, body, off, domain, true);
    else if (id >= 256) {
      const t = ctx.cache.get(ctx.s, domain, id, ctx.now);
      if (t) dataSet(ctx, t, b, body, off, domain, time);
      else {
        for (const d of ctx.cache.hold(ctx.s, { domain, setId: id, body: b.slice(body, off), time, at: ctx.now })) {
          out.errors.push(`no template ${d.setId} (domain ${d.domain})`);
        }
      }
    } // ids 2–255 (v9) and 4–255 (IPFIX) are reserved: skipped by length.
  }
}

/**
 * Template and options template records. v9 (RFC 3954 §5.2, §6.1): id, field count | scope and
 * option lengths in bytes, then (type, length) pairs. IPFIX (RFC 7011 §3.4.1–2): id, field count
 * [, scope field count], then specifiers whose top bit says a 4-byte enterprise number follows.
 */
function templateSet(ctx: Ctx, p: number, end: number, domain: number, options: boolean): void {
  const { b, out } = ctx;
  const ipfix = ctx.version === 10;
  const head = options ? 6 : 4;
  while (p + head <= end) {
    const id = u16(b, p);
    // Trailing zeros are padding to a 4-byte boundary (RFC 3954 §5.3, RFC 7011 §3.3.1).
    if (id === 0) return;
    let count: number;
    let scopeCount: number;
    if (options && !ipfix) {
      const scopeLen = u16(b, p + 2);
      const optLen = u16(b, p + 4);
      if (scopeLen % 4 || optLen % 4) return void out.errors.push(`v9: options template ${id} lengths ${scopeLen}/${optLen}`);
      scopeCount = scopeLen / 4;
      count = scopeCount + optLen / 4;
    } else {
      count = u16(b, p + 2);
      scopeCount = options ? u16(b, p + 4) : 0;
    }
    p += head;
    if (id < 256) return void out.errors.push(`${ipfix ? 'ipfix' : 'v9'}: template id ${id} below 256`);
    if (count === 0 && ipfix && !options) {
      ctx.cache.withdraw(ctx.s, domain, id); // RFC 7011 §8.1: a withdrawal
      continue;
    }
    if (options && (scopeCount > count || (ipfix && scopeCount === 0))) return void out.errors.push(`options template ${id}: scope count ${scopeCount} of ${count}`);
    const fields: RawField[] = [];
    for (let i = 0; i < count; i++) {
      if (p + 4 > end) return void out.errors.push(`template ${id} runs past its set`);
      let type = u16(b, p);
      const len = u16(b, p + 2);
      p += 4;
      let pen = 0;
      if (ipfix && type & 0x8000) {
        if (p + 4 > end) return void out.errors.push(`template ${id} runs past its set`);
        type &= 0x7fff;
        pen = u32(b, p);
        p += 4;
      }
      fields.push({ type, len, pen, scope: i < scopeCount });
    }
    const t = compile(id, options, fields, ctx.now);
    if (t.minLen === 0) {
      out.errors.push(`template ${id} has an empty record`);
      continue;
    }
    ctx.cache.set(ctx.s, domain, t);
    for (const held of ctx.cache.take(ctx.s, domain, id)) dataSet(ctx, t, held.body, 0, held.body.length, domain, held.time);
  }
}

function dataSet(ctx: Ctx, t: Template, b: Uint8Array, p: number, end: number, domain: number, time: TimeBase): void {
  const { out, s } = ctx;
  const domainRate = s.sampling.get(domain) ?? 0;
  let noAddr = 0;
  // Records until fewer bytes remain than the shortest record: the rest is padding.
  while (end - p >= t.minLen) {
    const next = readRecord(b, t, p, end);
    if (next < 0) {
      // A fixed-length template leaves only padding here; a variable one lost its framing.
      if (t.fixedLen === 0) out.errors.push(`set ${t.id}: record runs past the set`);
      return;
    }
    p = next;
    if (t.options) {
      const rate = optionsSampling();
      if (rate > 0) s.sampling.set(domain, rate);
      continue;
    }
    const f = toFlow(b, s.address, ctx.version, domain, time, s.override, domainRate, ctx.cache.postAsReverse);
    if (f) out.flows.push(f);
    else noAddr++;
  }
  // One error per set, not per record: a template of one-byte records would otherwise flood the report.
  if (noAddr) out.errors.push(`set ${t.id}: ${noAddr} records without addresses`);
}
