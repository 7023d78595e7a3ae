/**
 * Linux netfilter LOG / NFLOG-to-syslog lines (iptables `-j LOG`, nftables `log`), from the
 * kernel's nf_log_syslog.c: `[prefix]IN=eth0 OUT=eth1 MAC=… SRC=10.0.0.5 DST=8.8.8.8 LEN=60 …
 * PROTO=TCP SPT=51000 DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0`. One line is one packet: it
 * becomes a one-packet FlowEvent, LEN counted as bytes from SRC.
 */
import type { FlowEvent } from '../../../model/events.ts';
import { protoNumber, tcpFlagLetters } from '../../eve/index.ts';

const TCP_FLAGS: Record<string, number> = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 };

export function isNetfilter(msg: string): boolean {
  return msg.includes('SRC=') && msg.includes(' DST=') && msg.includes('PROTO=');
}

export function parseNetfilter(msg: string, ts: number, isInternal: (ip: string) => boolean, host: string): FlowEvent | null {
  const kv = new Map<string, string>();
  let bits = 0;
  // Only what follows IN= is the packet; the prefix before it is the rule's free text.
  const at = msg.indexOf('IN=');
  if (at < 0) return null;
  for (const tok of msg.slice(at).split(' ')) {
    const eq = tok.indexOf('=');
    if (eq > 0) kv.set(tok.slice(0, eq), tok.slice(eq + 1));
    else if (TCP_FLAGS[tok] !== undefined) bits |= TCP_FLAGS[tok];
  }
  const src = kv.get('SRC');
  const dst = kv.get('DST');
  const protoText = kv.get('PROTO');
  if (src === undefined || dst === undefined || protoText === undefined) return null;
  const proto = protoNumber(protoText);
  const len = Number(kv.get('LEN') ?? 0);
  const spt = Number(kv.get('SPT') ?? 0);
  const dpt = Number(kv.get('DPT') ?? 0);
  if (proto < 0 || !Number.isInteger(len) || !Number.isInteger(spt) || !Number.isInteger(dpt) || spt > 65535 || dpt > 65535) return null;
  return {
    kind: 'flow',
    ts,
    end: ts,
    client: isInternal(src) || !isInternal(dst) ? src : dst,
    src,
    srcPort: spt,
    dst,
    dstPort: dpt,
    proto,
    bytesOut: len,
    pktsOut: 1,
    bytesIn: 0,
    pktsIn: 0,
    tcpState: proto === 6 ? tcpFlagLetters(bits) : null,
    sensor: `syslog:${host}`,
  };
}
