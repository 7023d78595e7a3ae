/**
 * What a client sent the sinkhole first, read from its opening bytes (a few KB at most): a TLS
 * ClientHello (SNI, ALPN), an HTTP request (method, Host, path, User-Agent) or a mining pool
 * login over Stratum-style JSON-RPC (wallet, worker, agent, algorithms). Pure functions; every
 * read is bounds-checked and anything unexpected gives null, never an exception.
 */
import { isIP } from 'node:net';
import { parseStratum, stratumSummary, type MiningLogin } from '../../detect/index.ts';

export { parseStratum, stratumStage, type MiningLogin, type StratumProtocol } from '../../detect/index.ts';

export interface TlsHello {
  /** server_name (host_name type), lower case, no trailing dot; null when absent. */
  sni: string | null;
  /** application_layer_protocol_negotiation protocols, in the client's order. */
  alpn: string[];
}

export interface HttpRequest {
  method: string;
  /** Host header (or the authority of an absolute-form target) as sent, port included. */
  host: string | null;
  /** Request target as sent. */
  path: string;
  userAgent: string | null;
}

export type Sniffed =
  | { kind: 'tls'; name: string | null; said: string; tls: TlsHello }
  | { kind: 'http'; name: string | null; said: string; http: HttpRequest }
  | { kind: 'stratum'; name: null; said: string; login: MiningLogin }
  | { kind: 'empty' | 'unknown'; name: null; said: string };

/** Longest `said` we keep: enough for a full Monero wallet and an XMRig agent string. */
export const SAID_MAX = 400;

const TLS_HANDSHAKE = 22; // RFC 8446 §5.1 ContentType.handshake
const CLIENT_HELLO = 1; // RFC 8446 §4 HandshakeType.client_hello
const EXT_SERVER_NAME = 0; // RFC 6066 §3
const EXT_ALPN = 16; // RFC 7301 §3.1

/**
 * The handshake bytes carried by the TLS records at the start of `b` (RFC 8446 §5.1: a handshake
 * message may be split across records). Stops at the first non-handshake or truncated record,
 * keeping the part of a truncated record that arrived.
 */
function handshakeBytes(b: Uint8Array): Uint8Array | null {
  if (b.length < 5 || b[0] !== TLS_HANDSHAKE || b[1] !== 3) return null;
  const parts: Uint8Array[] = [];
  let off = 0;
  while (off + 5 <= b.length && b[off] === TLS_HANDSHAKE && b[off + 1] === 3) {
    const len = (b[off + 3]! << 8) | b[off + 4]!;
    if (len === 0 || len > 16384 + 256) break; // RFC 8446 §5.1: at most 2^14 (+ expansion)
    parts.push(b.subarray(off + 5, Math.min(b.length, off + 5 + len)));
    off += 5 + len;
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** A bounds-checked reader; `ok` turns false on the first overrun and every later read gives 0. */
class Reader {
  ok = true;
  constructor(private readonly b: Uint8Array, public off = 0, private readonly end = b.length) {}
  get left(): number {
    return this.end - this.off;
  }
  u8(): number {
    if (this.off + 1 > this.end) return this.fail();
    return this.b[this.off++]!;
  }
  u16(): number {
    if (this.off + 2 > this.end) return this.fail();
    const v = (this.b[this.off]! << 8) | this.b[this.off + 1]!;
    this.off += 2;
    return v;
  }
  u24(): number {
    if (this.off + 3 > this.end) return this.fail();
    const v = (this.b[this.off]! << 16) | (this.b[this.off + 1]! << 8) | this.b[this.off + 2]!;
    this.off += 3;
    return v;
  }
  skip(n: number): void {
    if (this.off + n > this.end) this.fail();
    else this.off += n;
  }
  bytes(n: number): Uint8Array {
    if (this.off + n > this.end) {
      this.fail();
      return new Uint8Array(0);
    }
    const v = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return v;
  }
  /** A sub-reader over the next n bytes (clipped to what arrived). */
  sub(n: number): Reader {
    const r = new Reader(this.b, this.off, Math.min(this.end, this.off + n));
    this.skip(Math.min(n, this.left));
    return r;
  }
  private fail(): number {
    this.ok = false;
    this.off = this.end;
    return 0;
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/**
 * A TLS ClientHello's SNI and ALPN (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301 §3.1). Works on a
 * hello that arrived in part: it returns what the extensions that arrived say. Null when the
 * bytes do not start a ClientHello.
 */
export function parseClientHello(b: Uint8Array): TlsHello | null {
  const hs = handshakeBytes(b);
  if (hs === null) return null;
  const r = new Reader(hs);
  if (r.u8() !== CLIENT_HELLO) return null;
  const body = r.sub(r.u24());
  const version = body.u16(); // legacy_version: 0x0301..0x0303 (TLS 1.3 says 0x0303)
  if (!body.ok || version >> 8 !== 3) return null;
  body.skip(32); // random
  body.skip(body.u8()); // legacy_session_id <0..32>
  body.skip(body.u16()); // cipher_suites <2..2^16-2>
  body.skip(body.u8()); // legacy_compression_methods <1..2^8-1>
  if (!body.ok) return null;
  const out: TlsHello = { sni: null, alpn: [] };
  if (body.left < 2) return out; // no extensions: SSL 3.0-style hello
  const exts = body.sub(body.u16());
  while (exts.left >= 4 && exts.ok) {
    const type = exts.u16();
    const ext = exts.sub(exts.u16());
    if (type === EXT_SERVER_NAME) {
      const list = ext.sub(ext.u16());
      while (list.left >= 3 && list.ok) {
        const nameType = list.u8();
        const name = list.bytes(list.u16());
        // RFC 6066 §3: host_name(0) is the only type; "MUST NOT contain more than one name of the same type".
        if (list.ok && nameType === 0 && out.sni === null) out.sni = hostName(latin1(name));
      }
    } else if (type === EXT_ALPN) {
      const list = ext.sub(ext.u16());
      while (list.left >= 1 && list.ok) {
        const proto = list.bytes(list.u8());
        if (list.ok && proto.length > 0 && out.alpn.length < 16) out.alpn.push(printable(latin1(proto), 32));
      }
    }
  }
  return out;
}

/** True once the whole first handshake message (the ClientHello) has arrived. */
export function tlsHelloComplete(b: Uint8Array): boolean {
  const hs = handshakeBytes(b);
  if (hs === null || hs.length < 4) return false;
  return hs.length >= 4 + ((hs[1]! << 16) | (hs[2]! << 8) | hs[3]!);
}

// RFC 9110 §9: method = token; RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]{1,20}) (\S{1,2048}) HTTP\/\d\.\d$/;

/** An HTTP/1.x request's line and the headers that arrived (RFC 9112 §2–§3, RFC 9110 §7.2). */
export function parseHttpRequest(b: Uint8Array): HttpRequest | null {
  const text = latin1(b.subarray(0, 8192));
  const lines = text.split(/\r?\n/);
  const m = REQUEST_LINE.exec(lines[0] ?? '');
  if (m === null) return null;
  const req: HttpRequest = { method: m[1]!, host: null, path: m[2]!, userAgent: null };
  // A header line cut off by the byte limit is still read: what arrived of it is evidence too.
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (field === 'host' && req.host === null) req.host = value;
    else if (field === 'user-agent' && req.userAgent === null) req.userAgent = value;
  }
  // RFC 9112 §3.2.2: an absolute-form target carries the authority; CONNECT's target is host:port.
  if (req.host === null || req.host === '') {
    const abs = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(req.path);
    req.host = abs !== null ? abs[1]! : req.method === 'CONNECT' ? req.path : null;
  }
  return req;
}

/** True once the request's header section has ended (an empty line, RFC 9112 §2.1). */
export function httpHeadComplete(b: Uint8Array): boolean {
  const text = latin1(b.subarray(0, 8192));
  return text.includes('\r\n\r\n') || text.includes('\n\n');
}

/** `authority` → the host name it names: lower case, no port, no trailing dot; null for IP literals and junk. */
export function hostName(authority: string): string | null {
  let h = authority.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(h);
  if (v6 !== null) return null; // an IPv6 literal is an address, not a name
  h = h.replace(/:\d*$/, '').replace(/\.$/, '');
  if (h === '' || h.length > 253 || isIP(h) !== 0) return null;
  // Letters, digits, hyphen, underscore and dots (RFC 1123 §2.1, plus the underscore seen in the wild).
  if (!/^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/.test(h)) return null;
  return h;
}

/** `s` with control and non-ASCII characters escaped (\n, \xNN), cut to `max` characters. */
export function printable(s: string, max = SAID_MAX): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    let piece: string;
    if (c === 0x5c) piece = '\\\\';
    else if (c >= 0x20 && c < 0x7f) piece = ch;
    else if (c === 0x0a) piece = '\\n';
    else if (c === 0x0d) piece = '\\r';
    else if (c === 0x09) piece = '\\t';
    else if (c <= 0xff) piece = `\\x${c.toString(16).padStart(2, '0')}`;
    else piece = `\\u{${c.toString(16)}}`;
    if (out.length + piece.length > max) return `${out.slice(0, Math.max(0, max - 1))}…`;
    out += piece;
  }
  return out;
}

/** Reads the opening bytes and says what they were, with a name and a one-line summary. */
export function sniff(b: Uint8Array): Sniffed {
  if (b.length === 0) return { kind: 'empty', name: null, said: '' };
  const tls = parseClientHello(b);
  if (tls !== null) {
    const parts = ['tls'];
    if (tls.sni !== null) parts.push(`sni=${tls.sni}`);
    if (tls.alpn.length > 0) parts.push(`alpn=${tls.alpn.join(',')}`);
    if (!tlsHelloComplete(b)) parts.push('(partial)');
    return { kind: 'tls', name: tls.sni, said: printable(parts.join(' ')), tls };
  }
  const http = parseHttpRequest(b);
  if (http !== null) {
    const name = http.host === null ? null : hostName(http.host);
    const parts = ['http', http.method, `${http.host ?? ''}${http.path.startsWith('/') ? http.path : ` ${http.path}`}`];
    if (http.userAgent !== null) parts.push(`ua=${http.userAgent}`);
    return { kind: 'http', name, said: printable(parts.join(' ')), http };
  }
  const login = parseStratum(b);
  if (login !== null) return { kind: 'stratum', name: null, said: printable(stratumSummary(login)), login };
  return { kind: 'unknown', name: null, said: sample(b) };
}

/** The first bytes as text when they are mostly text, else as hex: `hex:16030100…`. */
function sample(b: Uint8Array): string {
  const head = b.subarray(0, 96);
  let text = 0;
  for (const c of head) if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09) text++;
  if (text >= head.length * 0.9) return printable(`raw ${latin1(b.subarray(0, SAID_MAX))}`);
  const hex = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 64)).toString('hex');
  return `hex:${hex}${b.length > 64 ? '…' : ''} (${b.length} bytes)`;
}
