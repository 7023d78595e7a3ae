/**
 * Stage 1, identity: who is asking. By default the packet's source. A trusted forwarder (a site
 * agent behind NAT) names the real client in an EDNS option — the Umbrella/OpenDNS "ODNS" option
 * (code 0x4F44) or Client Subnet (RFC 7871) with a full-length /32 or /128 — and, by which
 * forwarder it is, the site. Those options are removed from every query here, trusted or not, so
 * no upstream ever sees a client's address. Then the unit: longest prefix at the site.
 */
import { formatAAAA, OPTION, type EdnsOption } from '../wire/index.ts';
import type { NetSet } from '../netset.ts';
import type { MaybeAnswer, Next, Query, Stage } from './types.ts';

export interface TrustedForwarder {
  /** Source networks the forwarder's queries come from. */
  from: NetSet;
  /** Site key its clients belong to. */
  site: string;
  /** ODNS forwarder (virtual appliance) id, when it sends one: picks this entry among several behind one address. */
  applianceId?: number;
}

export interface UnitLookup {
  resolve(ip: string, site?: string): { unitId: string } | null;
}

/** What an identity option said. */
export interface ClientIdentity {
  client: string;
  applianceId?: number;
}

const ODNS_MAGIC = 0x4f444e53; // "ODNS"

/**
 * Reads the ODNS option: 4-byte magic "ODNS", version (0: 1-byte field types, 1: 2-byte), flags,
 * then <type, value> pairs whose type bit says the length — 0x01 user 16, 0x02 host 16,
 * 0x04 appliance 4, 0x08 organisation 4, 0x10 remote IPv4 4, 0x20 remote IPv6 16, 0x40 device 8,
 * 0x80 "pretend" IPv4 4; version 1 adds 0x0100 IPv6 16, 0x0800 origin 4, 0x1000 policy 1. The
 * remote address is "who asked the forwarder": the client. Unknown or variable fields end the read.
 */
export function readOdns(data: Uint8Array): ClientIdentity | null {
  if (data.length < 6) return null;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (dv.getUint32(0) !== ODNS_MAGIC) return null;
  const wide = data[4] === 1;
  if (data[4] !== 0 && !wide) return null;
  const LEN: Record<number, number> = { 0x1: 16, 0x2: 16, 0x4: 4, 0x8: 4, 0x10: 4, 0x20: 16, 0x40: 8, 0x80: 4, 0x100: 16, 0x800: 4, 0x1000: 1 };
  let i = 6;
  const out: ClientIdentity = { client: '' };
  while (i < data.length) {
    const type = wide ? (i + 2 <= data.length ? dv.getUint16(i) : -1) : data[i]!;
    i += wide ? 2 : 1;
    const len = LEN[type];
    if (type < 0 || len === undefined || i + len > data.length) break;
    if (type === 0x4) out.applianceId = dv.getUint32(i);
    else if (type === 0x10) out.client = `${data[i]}.${data[i + 1]}.${data[i + 2]}.${data[i + 3]}`;
    else if (type === 0x20) out.client = v6Text(data.subarray(i, i + 16));
    i += len;
  }
  return out.client === '' ? null : out;
}

/** Writes an ODNS option carrying the client's address (and the forwarder's appliance id). */
export function writeOdns(client: string, applianceId?: number): Uint8Array {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(client);
  const fields: number[] = [];
  if (applianceId !== undefined) fields.push(0x4, (applianceId >>> 24) & 255, (applianceId >>> 16) & 255, (applianceId >>> 8) & 255, applianceId & 255);
  if (v4 !== null) fields.push(0x10, ...v4.slice(1).map(Number));
  else fields.push(0x20, ...v6Bytes(client));
  return Uint8Array.from([0x4f, 0x44, 0x4e, 0x53, 0, 0, ...fields]);
}

/** RFC 7871 Client Subnet with a full-length source prefix (/32, /128): the client itself. */
export function readEcs(data: Uint8Array): ClientIdentity | null {
  if (data.length < 4) return null;
  const family = (data[0]! << 8) | data[1]!;
  const prefix = data[2]!;
  const addr = data.subarray(4);
  if (family === 1 && prefix === 32 && addr.length === 4) return { client: `${addr[0]}.${addr[1]}.${addr[2]}.${addr[3]}` };
  if (family === 2 && prefix === 128 && addr.length === 16) return { client: v6Text(addr) };
  return null;
}

function v6Text(b: Uint8Array): string {
  return formatAAAA(b, 0);
}

function v6Bytes(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out: number[] = [];
  for (const g of groups) {
    const v = parseInt(g, 16) || 0;
    out.push(v >> 8, v & 255);
  }
  return out;
}

function isIdentityOption(o: EdnsOption): boolean {
  return o.code === OPTION.ODNS || o.code === OPTION.ECS;
}

export class IdentityStage implements Stage {
  readonly name = 'identity';

  constructor(private readonly forwarders: readonly TrustedForwarder[], private readonly units: UnitLookup) {}

  describe(): string {
    return this.forwarders.length === 0
      ? 'client = packet source (no trusted forwarders)'
      : `client = packet source, or the ODNS/ECS client named by ${this.forwarders.length} trusted forwarder(s)`;
  }

  resolve(q: Query, next: Next): MaybeAnswer {
    const edns = q.edns;
    if (edns !== null && edns.options.some(isIdentityOption)) {
      const fwd = this.forwarders.filter((f) => f.from.has(q.source));
      if (fwd.length > 0) {
        let id: ClientIdentity | null = null;
        for (const o of edns.options) {
          if (o.code === OPTION.ODNS) id = readOdns(o.data) ?? id;
          else if (o.code === OPTION.ECS && id === null) id = readEcs(o.data);
        }
        if (id !== null) {
          const f = fwd.find((x) => x.applianceId !== undefined && x.applianceId === id.applianceId) ?? fwd[0]!;
          q.client = id.client;
          q.site = f.site;
        }
      }
      q.edns = { ...edns, options: edns.options.filter((o) => !isIdentityOption(o)) };
    }
    q.unit = this.units.resolve(q.client, q.site)?.unitId ?? null;
    return next(q);
  }
}
