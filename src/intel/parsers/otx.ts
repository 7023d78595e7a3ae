/**
 * `otx`: AlienVault OTX DirectConnect API JSON — one pulse (`/api/v1/pulses/{id}`), a page of
 * pulses (`/api/v1/pulses/subscribed` → `{results: [pulse…], next, count}`), or a page of a
 * pulse's indicators (`/api/v1/pulses/{id}/indicators` → `{results: [indicator…]}`).
 * Indicator fields: indicator, type, created, expiration, is_active, title. Inactive
 * indicators are skipped; expiration → validUntil; created → firstSeen; pulse tags → tags;
 * pulse name → reference; the pulse's malware family (when it names one) → family.
 * Records are the indicators, numbered in file order (1-based).
 */
import type { IndicatorType } from '../../model/indicator.ts';
import type { FeedParser, ParseItem } from './types.ts';
import type { JsonObject } from './util.ts';
import { arr, indicatorItem, isObject, parseTime, rejected, sampleOf, skipped, str, tagList, readJson } from './util.ts';

const TYPES: Record<string, IndicatorType> = {
  domain: 'domain',
  hostname: 'domain',
  ipv4: 'ip',
  ipv6: 'ip',
  cidr: 'cidr',
  url: 'url',
  uri: 'url',
  'filehash-md5': 'md5',
  'filehash-sha1': 'sha1',
  'filehash-sha256': 'sha256',
};

interface Pulse {
  tags: string[];
  reference?: string;
  family?: string;
}

/** malware_families is a list of names in /pulses/subscribed and of {display_name} in pulse details. */
function familyOf(pulse: JsonObject): string | undefined {
  const names = arr(pulse, 'malware_families').flatMap((m) => {
    if (typeof m === 'string') return m.trim() === '' ? [] : [m.trim()];
    if (isObject(m)) return [str(m, 'display_name') ?? str(m, 'id') ?? ''].filter((n) => n !== '');
    return [];
  });
  const distinct = [...new Set(names)];
  return distinct.length === 1 ? distinct[0] : undefined;
}

function indicatorOf(no: number, i: unknown, pulse: Pulse): ParseItem {
  if (!isObject(i)) return rejected(no, 'OTX indicator is not an object', sampleOf(i));
  const value = str(i, 'indicator');
  const typeWord = str(i, 'type') ?? '';
  if (value === undefined) return rejected(no, 'OTX indicator without a value', sampleOf(i));
  const type = TYPES[typeWord.toLowerCase()];
  if (type === undefined) return skipped(no, `OTX type ${typeWord}`);
  if (i.is_active === 0 || i.is_active === false) return skipped(no, 'inactive indicator');
  if (typeWord.toLowerCase() === 'uri' && !value.includes('://')) return skipped(no, 'OTX URI without a host');
  return indicatorItem(value, no, {
    type,
    family: pulse.family,
    firstSeen: parseTime(i.created),
    validUntil: parseTime(i.expiration),
    tags: pulse.tags,
    reference: pulse.reference ?? str(i, 'title'),
  });
}

function* parse(text: string): Generator<ParseItem> {
  const top = yield* readJson(text);
  if (top === undefined) return;
  if (!isObject(top) || !(Array.isArray(top.indicators) || Array.isArray(top.results))) {
    yield rejected(1, 'not an OTX pulse or results page', text);
    return;
  }
  const pulses = Array.isArray(top.results) ? top.results : [top];
  let no = 0;
  for (const p of pulses) {
    if (isObject(p) && Array.isArray(p.indicators)) {
      const pulse: Pulse = { tags: tagList(p.tags), reference: str(p, 'name'), family: familyOf(p) };
      for (const i of p.indicators) yield indicatorOf(++no, i, pulse);
    } else if (isObject(p) && 'indicator' in p) {
      yield indicatorOf(++no, p, { tags: [] }); // a page of one pulse's indicators
    } else {
      yield rejected(++no, 'OTX result is neither a pulse nor an indicator', sampleOf(p));
    }
  }
}

function sniff(head: string): number {
  if (!/^\uFEFF?\s*\{/.test(head)) return 0;
  const indicators = /"indicators"\s*:\s*\[/.test(head);
  if (indicators && /"(malware_families|author_name|adversary|targeted_countries|tlp)"\s*:/.test(head)) return 0.9;
  if (/"results"\s*:\s*\[/.test(head) && /"indicator"\s*:/.test(head) && /"is_active"\s*:|"FileHash-|"IPv4"|"hostname"/.test(head)) return 0.85;
  return indicators && /"indicator"\s*:/.test(head) ? 0.6 : 0;
}

export const otxParser: FeedParser = {
  format: 'otx',
  description: 'AlienVault OTX pulse JSON (one pulse or a results page); inactive indicators skipped',
  sniff,
  parse,
};
