/**
 * False-positive guard: decides whether an indicator may be loaded for matching or must be held
 * for review. A feed that lists `com`, `google.com` or `10.0.0.0/8` by mistake would otherwise
 * black-hole a whole network through the DNS gateway; a held indicator is stored and listed (and
 * can be released by an operator) but never matched.
 *
 * Public suffixes come from the Public Suffix List as shipped in `tldts`, ICANN and private sections
 * both (`co.uk`, `edu.cn`, `github.io`). Popular domains come from `data/top-sites.txt`. Special
 * address ranges come from ipaddr.js `range()` (RFC 6890 registries).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { getDomain, getPublicSuffix } from 'tldts';
import type { IndicatorType } from '../model/indicator.ts';

export interface GuardOptions {
  /** Popular domains; each is reduced to its registrable domain (`www.google.com` → `google.com`). */
  topSites: ReadonlySet<string>;
  /** Operator additions, treated like `topSites`. */
  extraPopular?: Iterable<string>;
}

export type GuardVerdict = { action: 'load' } | { action: 'hold'; reason: string };

/**
 * The reasons a verdict can carry. Address reasons add the range in parentheses, e.g.
 * `non-routable address (private)` or `too broad (/4; IPv4 minimum is /8)`, so group by prefix.
 */
export const HOLD_REASONS = {
  publicSuffix: 'public suffix',
  popular: 'popular domain (top sites)',
  nonRoutable: 'non-routable address',
  tooBroad: 'too broad',
  invalid: 'invalid value',
} as const;

const LOAD: GuardVerdict = Object.freeze({ action: 'load' });

function hold(reason: string): GuardVerdict {
  return { action: 'hold', reason };
}

/** ipaddr.js range names that no host on the public internet can answer from. */
const HELD_V4_RANGES: ReadonlySet<string> = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'reserved',
]);
const HELD_V6_RANGES: ReadonlySet<string> = new Set([
  'unspecified',
  'linkLocal',
  'multicast',
  'loopback',
  'uniqueLocal',
  'ipv4Mapped',
  'deprecatedSiteLocal',
  'discard',
  'benchmarking',
  'reserved',
  'deprecatedOrchid',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'segmentRouting',
]);
// Deliberately loaded: as112/amt (routed services), 6to4, teredo, rfc6052/rfc6145 (translation
// prefixes carrying public IPv4 space), unicast.

/**
 * The held ranges as networks, to catch a CIDR that *contains* one (172.0.0.0/8 ⊃ 172.16.0.0/12);
 * `range()` of the network address only catches a CIDR that starts inside one. Each network's
 * `range()` name is in the held sets above (guard.test.ts checks it).
 */
export const HELD_NETWORKS: readonly string[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '::ffff:0:0/96',
  '100::/64',
  '2001:2::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:30::/28',
  '2001:db8::/32',
  '3fff::/20',
  '5f00::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

/** Shortest prefixes accepted: a /7 is 1/128 of the IPv4 internet; /32 is a large ISP in IPv6. */
const MIN_PREFIX = { ipv4: 8, ipv6: 32 } as const;

type Net = [ipaddr.IPv4 | ipaddr.IPv6, number];
const HELD_NETS: readonly Net[] = HELD_NETWORKS.map((cidr) => ipaddr.parseCIDR(cidr));

/** Lines of a top-sites file: `#` starts a comment, blank lines are skipped, names lower-cased. */
export function parseTopSitesList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const hash = line.indexOf('#');
    const name = (hash >= 0 ? line.slice(0, hash) : line).trim().toLowerCase();
    if (name !== '') out.push(name);
  }
  return out;
}

let builtInCache: ReadonlySet<string> | undefined;

/** The shipped list, read on first use and kept (STYLE.md: nothing reads a file at import time). */
export function loadBuiltInTopSites(): ReadonlySet<string> {
  builtInCache ??= new Set(parseTopSitesList(readFileSync(new URL('./data/top-sites.txt', import.meta.url), 'utf8')));
  return builtInCache;
}

export class PopularityGuard {
  private readonly popular: ReadonlySet<string>;

  constructor(opts: GuardOptions) {
    const popular = new Set<string>();
    const add = (name: string): void => {
      // A name that is itself a public suffix has no registrable domain; the suffix rule holds it.
      const registrable = getDomain(name.trim().toLowerCase());
      if (registrable !== null) popular.add(registrable);
    };
    for (const name of opts.topSites) add(name);
    for (const name of opts.extraPopular ?? []) add(name);
    this.popular = popular;
  }

  /** A guard over `data/top-sites.txt` plus `extra`; the file is read once per process. */
  static withBuiltInList(extra?: Iterable<string>): PopularityGuard {
    return new PopularityGuard({ topSites: loadBuiltInTopSites(), extraPopular: extra });
  }

  /** Number of distinct popular registrable domains the guard knows. */
  get size(): number {
    return this.popular.size;
  }

  /** `value` is already normalised (normalize.ts): lower case, punycode, canonical IP. */
  check(type: IndicatorType, value: string): GuardVerdict {
    switch (type) {
      case 'domain':
        return this.checkDomain(value);
      case 'ip':
        return checkIp(value);
      case 'ip:port':
        return checkIp(hostOfIpPort(value));
      case 'cidr':
        return checkCidr(value);
      case 'url':
        return this.checkUrl(value);
      case 'md5':
      case 'sha1':
      case 'sha256':
        return LOAD;
      default: {
        const never: never = type;
        return hold(`${HOLD_REASONS.invalid}: unknown type ${String(never)}`);
      }
    }
  }

  /**
   * True when `domain` is a popular registrable domain or its `www.` host. Other subdomains are
   * not popular: a specific host under a popular domain may really be malicious.
   */
  isPopular(domain: string): boolean {
    // The set holds registrable domains only, so two set probes answer without parsing the name
    // against the PSL (this runs for every indicator of every feed refresh).
    return this.popular.has(domain) || (domain.startsWith('www.') && this.popular.has(domain.slice(4)));
  }

  private checkDomain(domain: string): GuardVerdict {
    // Unlisted TLDs fall under the PSL's implicit `*` rule, so a bare `localhost` or `lan` is held too.
    if (getPublicSuffix(domain, { allowPrivateDomains: true }) === domain) return hold(HOLD_REASONS.publicSuffix);
    if (this.isPopular(domain)) return hold(HOLD_REASONS.popular);
    return LOAD;
  }

  /** A URL with a path or query is specific enough; a bare host URL is judged as its host. */
  private checkUrl(value: string): GuardVerdict {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return hold(HOLD_REASONS.invalid);
    }
    if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '') return LOAD;
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (host === '') return hold(HOLD_REASONS.invalid);
    return isIP(host) !== 0 ? checkIp(host) : this.checkDomain(host);
  }
}

function checkIp(value: string): GuardVerdict {
  if (!ipaddr.isValid(value)) return hold(HOLD_REASONS.invalid);
  const addr = ipaddr.parse(value);
  const range = addr.range();
  const held = addr.kind() === 'ipv4' ? HELD_V4_RANGES : HELD_V6_RANGES;
  return held.has(range) ? hold(`${HOLD_REASONS.nonRoutable} (${range})`) : LOAD;
}

function checkCidr(value: string): GuardVerdict {
  let net: Net;
  try {
    net = ipaddr.parseCIDR(value);
  } catch {
    return hold(HOLD_REASONS.invalid);
  }
  const [addr, bits] = net;
  const kind = addr.kind();
  const min = MIN_PREFIX[kind];
  if (bits < min) {
    return hold(`${HOLD_REASONS.tooBroad} (/${bits}; ${kind === 'ipv4' ? 'IPv4' : 'IPv6'} minimum is /${min})`);
  }
  // Starts inside a held range (10.1.0.0/16) …
  const startRange = addr.range();
  if ((kind === 'ipv4' ? HELD_V4_RANGES : HELD_V6_RANGES).has(startRange)) {
    return hold(`${HOLD_REASONS.nonRoutable} (${startRange})`);
  }
  // … or contains one (172.0.0.0/8 contains 172.16.0.0/12).
  for (const [heldAddr, heldBits] of HELD_NETS) {
    if (heldAddr.kind() === kind && heldBits >= bits && heldAddr.match(addr, bits)) {
      return hold(`${HOLD_REASONS.nonRoutable} (contains ${heldAddr.toString()}/${heldBits}, ${heldAddr.range()})`);
    }
  }
  return LOAD;
}

/** `1.2.3.4:3333` → `1.2.3.4`; `[2001:db8::1]:3333` → `2001:db8::1`. */
function hostOfIpPort(value: string): string {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 0 ? value.slice(1, end) : value;
  }
  const colon = value.lastIndexOf(':');
  return colon > 0 ? value.slice(0, colon) : value;
}
