/**
 * DNS over UDP (RFC 1035 §4.2.1): queries are kept per flow by message id and matched with their
 * response; the answer gives rcode and latency. Ports 53, 5353 and 137 are taken as DNS; any other UDP datagram
 * must look like one (header sanity, one question of class IN, a clean decode) to be read so.
 */
import { decodeDnsMessage } from '../../../dns/index.ts';
import type { DnsEvent } from '../../../model/events.ts';
import type { Flow } from '../flows.ts';
import type { AppContext, AppSink } from './types.ts';

interface Pending {
  tsUs: number;
  name: string;
  qtype: number;
  /** Query sent by the flow's initiator. */
  fromA: boolean;
}

export interface DnsState {
  kind: 'dns';
  pending: Map<number, Pending>;
}

/** Unanswered queries kept per flow at most (a flood keeps the first ones). */
const MAX_PENDING = 256;

/** Cheap header checks (RFC 1035 §4.1.1) before a full decode of a non-53 datagram. */
function plausible(p: Uint8Array): boolean {
  if (p.length < 17) return false;
  const opcode = (p[2]! >> 3) & 0x0f;
  const qd = (p[4]! << 8) | p[5]!;
  const an = (p[6]! << 8) | p[7]!;
  const ns = (p[8]! << 8) | p[9]!;
  const ar = (p[10]! << 8) | p[11]!;
  return opcode === 0 && qd === 1 && an < 64 && ns < 64 && ar < 64 && (p[3]! & 0x70) === 0;
}

/** Reads one UDP datagram of flow f; returns false when it is not DNS. */
export function udpDns(f: Flow, fromA: boolean, p: Uint8Array, tsUs: number, sport: number, dport: number, ctx: AppContext, sink: AppSink): boolean {
  // mDNS (RFC 6762) and NetBIOS name service (RFC 1002 §4.2) share the DNS wire format.
  const port53 = sport === 53 || dport === 53 || sport === 5353 || dport === 5353 || sport === 137 || dport === 137;
  if (!port53 && !plausible(p)) return false;
  let msg;
  try {
    msg = decodeDnsMessage(p);
  } catch {
    if (port53) sink.bad('dns: undecodable message', p);
    return false;
  }
  const q = msg.questions[0];
  if (q === undefined) return port53;
  if (!port53 && q.class !== 1) return false;
  let st = f.app as DnsState | null;
  if (st === null) f.app = st = { kind: 'dns', pending: new Map() };
  else if (st.kind !== 'dns') return false;
  const name = normalise(q.name);
  if (!msg.flags.qr) {
    if (st.pending.size < MAX_PENDING && !st.pending.has(msg.id)) st.pending.set(msg.id, { tsUs, name, qtype: q.type, fromA });
    return true;
  }
  const asked = st.pending.get(msg.id);
  // A response comes from the other side of the one that asked.
  const match = asked !== undefined && asked.fromA !== fromA && asked.name === name && asked.qtype === q.type;
  if (match) st.pending.delete(msg.id);
  const rcode = ((msg.edns?.extendedRcode ?? 0) << 4) | msg.flags.rcode;
  const querierIsA = match ? asked.fromA : !fromA;
  const ev: DnsEvent = {
    kind: 'dns',
    ts: Math.floor((match ? asked.tsUs : tsUs) / 1000),
    client: querierIsA ? f.aText() : f.bText(),
    site: ctx.site,
    name,
    qtype: q.type,
    rcode,
    outcome: 'resolved',
    latencyUs: match ? Math.max(0, Math.round(tsUs - asked.tsUs)) : 0,
  };
  if (!match) ev.reason = 'query-not-seen';
  // The addresses answered, for the detectors (they name the host's next flow: "to pool.example").
  const answers: string[] = [];
  for (const rr of msg.answers) if (rr.data.kind === 'a' || rr.data.kind === 'aaaa') answers.push(rr.data.address);
  if (answers.length > 0) ev.answers = answers;
  sink.dns(ev);
  return true;
}

/** At flow end: queries that never got an answer. */
export function flushDns(f: Flow, ctx: AppContext, sink: AppSink): void {
  const st = f.app as DnsState | null;
  if (st === null || st.kind !== 'dns') return;
  for (const q of st.pending.values()) {
    sink.dns({
      kind: 'dns',
      ts: Math.floor(q.tsUs / 1000),
      client: q.fromA ? f.aText() : f.bText(),
      site: ctx.site,
      name: q.name,
      qtype: q.qtype,
      // No answer seen: reported as SERVFAIL (the client got none), with the reason saying why.
      rcode: 2,
      outcome: 'servfail',
      reason: 'no-response',
      latencyUs: 0,
    });
  }
  st.pending.clear();
}

function normalise(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}
