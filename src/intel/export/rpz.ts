/**
 * A response policy zone (draft-vixie-dnsop-dns-rpz) as BIND and Unbound load it from a file.
 * Every record is `CNAME .`, the NXDOMAIN action. A domain gets two records, `name` and
 * `*.name`, so its subdomains are blocked too, as our matcher does. IPs and CIDRs become
 * rpz-ip triggers. URLs, ip:port and hashes cannot be expressed: they are counted in a
 * closing comment.
 */
import { INDICATOR_TYPES } from '../../model/indicator.ts';
import type { Indicator, IndicatorType } from '../../model/indicator.ts';
import { commentText, isCanonicalDomain, isExpired, isoTime } from './common.ts';
import { rpzIpTrigger } from './rpz-ip.ts';
import type { ResolvedExportOptions } from './types.ts';

/** Policy TTL. BIND caps it with max-policy-ttl; five minutes lets a removal take effect soon. */
const TTL = 300;

/**
 * Labels that select a trigger type when they end an owner name, so a "domain" under one of
 * them would silently become another kind of trigger.
 */
const TRIGGER_LABELS = new Set(['rpz-ip', 'rpz-nsip', 'rpz-nsdname', 'rpz-client-ip']);

interface Counts {
  domains: number;
  ips: number;
  duplicate: number;
  expired: number;
  invalid: number;
  unexpressible: Map<IndicatorType, number>;
}

export function* rpzLines(indicators: Iterable<Indicator>, o: ResolvedExportOptions): Generator<string, void, undefined> {
  yield* header(o);
  const c: Counts = { domains: 0, ips: 0, duplicate: 0, expired: 0, invalid: 0, unexpressible: new Map() };
  // Owner names written so far: a second CNAME at one owner would make the zone invalid.
  const owners = new Set<string>();
  for (const ind of indicators) {
    if (isExpired(ind, o.now)) {
      c.expired++;
      continue;
    }
    switch (ind.type) {
      case 'domain': {
        if (!fitsZone(ind.value, o.zoneName)) c.invalid++;
        else if (owners.has(ind.value)) c.duplicate++;
        else {
          owners.add(ind.value);
          c.domains++;
          yield `${ind.value} CNAME . ; ${note(ind)}\n*.${ind.value} CNAME .\n`;
        }
        break;
      }
      case 'ip':
      case 'cidr': {
        const owner = rpzIpTrigger(ind.value);
        if (owner === null) c.invalid++;
        else if (owners.has(owner)) c.duplicate++;
        else {
          owners.add(owner);
          c.ips++;
          yield `${owner} CNAME . ; ${ind.value} ${note(ind)}\n`;
        }
        break;
      }
      case 'url':
      case 'ip:port':
      case 'md5':
      case 'sha1':
      case 'sha256':
        c.unexpressible.set(ind.type, (c.unexpressible.get(ind.type) ?? 0) + 1);
        break;
    }
  }
  yield* footer(c);
}

function* header(o: ResolvedExportOptions): Generator<string, void, undefined> {
  yield `; Minewarden response policy zone, generated ${isoTime(o.now)}\n`;
  yield '; A blocked domain has a second, wildcard record so that its subdomains are blocked too.\n';
  yield `$TTL ${TTL}\n`;
  yield `$ORIGIN ${o.zoneName}.\n`;
  // Serial: epoch seconds, monotonic across exports with no state to keep (RFC 1982 arithmetic
  // holds until 2106). Out-of-zone NS: an RPZ is never delegated, the record only makes it a zone.
  yield `@ IN SOA localhost. hostmaster.localhost. ${o.now} 3600 600 604800 ${TTL}\n`;
  yield '@ IN NS localhost.\n';
}

function* footer(c: Counts): Generator<string, void, undefined> {
  yield `; ${c.domains} domains (each with its wildcard), ${c.ips} IP triggers\n`;
  const types = INDICATOR_TYPES.filter((t) => c.unexpressible.has(t));
  if (types.length > 0) {
    const list = types.map((t) => `${t} ${c.unexpressible.get(t) ?? 0}`).join(', ');
    yield `; skipped (RPZ cannot express them): ${list}\n`;
  }
  const other = [['expired', c.expired], ['invalid', c.invalid], ['duplicate', c.duplicate]] as const;
  const nonZero = other.filter(([, n]) => n > 0);
  if (nonZero.length > 0) yield `; skipped: ${nonZero.map(([what, n]) => `${what} ${n}`).join(', ')}\n`;
}

/** Canonical, not a trigger-type suffix, and `*.name.zone.` within 255 octets (RFC 1035 §2.3.4). */
function fitsZone(domain: string, zone: string): boolean {
  if (!isCanonicalDomain(domain)) return false;
  const last = domain.slice(domain.lastIndexOf('.') + 1);
  if (TRIGGER_LABELS.has(last)) return false;
  // Wire length of a dotted name without its final dot is its text length + 2.
  return `*.${domain}.${zone}`.length + 2 <= 255;
}

function note(ind: Indicator): string {
  const family = ind.family === '' ? '' : ` family=${commentText(ind.family, 40)}`;
  return `category=${commentText(ind.category, 40)}${family} source=${commentText(ind.source, 60)}`;
}
