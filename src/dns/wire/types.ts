/**
 * DNS messages as the gateway sees them (RFC 1035 §4, EDNS0 per RFC 6891). Names are in
 * presentation form without the trailing dot ('' is the root), labels as received (case kept);
 * a label holding '.', '\\' or a byte outside 0x21–0x7E is escaped as `\.`, `\\` or `\DDD`.
 */

export const TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41,
  SVCB: 64, HTTPS: 65, ANY: 255,
} as const;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

export const CLASS_IN = 1;

/** EDNS option codes used here. */
export const OPTION = {
  /** RFC 7871 Client Subnet. */
  ECS: 8,
  /** RFC 7873 cookie. */
  COOKIE: 10,
  /** RFC 7830 padding. */
  PADDING: 12,
  /** RFC 8914 Extended DNS Error. */
  EDE: 15,
  /** Umbrella/OpenDNS "ODNS" device/identity option as forwarders send it. */
  ODNS: 0x4f44,
} as const;

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** RFC 4035 authentic data / checking disabled. */
  ad: boolean;
  cd: boolean;
  /** The low 4 bits; with EDNS the full rcode is (edns.extendedRcode << 4) | rcode. */
  rcode: number;
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export type RData =
  | { kind: 'a'; address: string }
  | { kind: 'aaaa'; address: string }
  /** CNAME, NS, PTR, DNAME: one domain name. */
  | { kind: 'name'; name: string }
  | { kind: 'mx'; preference: number; exchange: string }
  | { kind: 'soa'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: string }
  /** Any other type (TXT, HTTPS, DNSSEC records, …): the RDATA bytes verbatim. */
  | { kind: 'raw'; bytes: Uint8Array };

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  /** Seconds (unsigned 32-bit). */
  ttl: number;
  data: RData;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

export interface Edns {
  /** Requestor's UDP payload size (RFC 6891 §6.2.3). */
  udpSize: number;
  extendedRcode: number;
  version: number;
  /** DO bit. */
  dnssecOk: boolean;
  options: EdnsOption[];
}

export interface Message {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  /** Additional records, without the OPT pseudo-record (that is `edns`). */
  additionals: ResourceRecord[];
  edns: Edns | null;
}
