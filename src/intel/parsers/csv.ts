/**
 * `csv`: delimited feeds whose header names the columns. Known layouts:
 *   URLhaus     `# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter`
 *   ThreatFox   `# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type",…`
 *   Feodo       `"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"`
 * and any CSV with a column named value/indicator/ioc/url/domain/ip/…. The header may be a `#`
 * comment line (abuse.ch writes it so); other `#` lines are comments. Dates without a zone are UTC.
 */
import type { Category, IndicatorType, RawIndicator } from '../../model/indicator.ts';
import { KNOWN_CATEGORIES } from '../../model/indicator.ts';
import { splitCsv } from './csv-split.ts';
import type { FeedParser, ParseItem } from './types.ts';
import { confidenceOf, indicatorItem, lines, optional, parseTime, rejected, skipped, tagList, threatCategory, threatfoxType } from './util.ts';

/** Value columns by preference, with the type the column name implies (if any). */
const VALUE_COLUMNS: readonly [string, IndicatorType | undefined][] = [
  ['ioc_value', undefined],
  ['ioc', undefined],
  ['indicator', undefined],
  ['value', undefined],
  ['url', 'url'],
  ['dst_ip', 'ip'],
  ['domain', 'domain'],
  ['hostname', 'domain'],
  ['host', undefined],
  ['ip', 'ip'],
  ['ip_address', 'ip'],
  ['sha256_hash', 'sha256'],
  ['sha256', 'sha256'],
  ['sha1_hash', 'sha1'],
  ['sha1', 'sha1'],
  ['md5_hash', 'md5'],
  ['md5', 'md5'],
];

const TYPE_WORDS: Record<string, IndicatorType> = {
  ip: 'ip', ipv4: 'ip', ipv6: 'ip', 'ip-dst': 'ip', 'ip-src': 'ip', cidr: 'cidr', hostname: 'domain',
  md5: 'md5', sha1: 'sha1', sha256: 'sha256', 'ip:port': 'ip:port', domain: 'domain', url: 'url',
};

interface Layout {
  width: number;
  value: number;
  valueName: string;
  valueType?: IndicatorType;
  port?: number;
  type?: number;
  first?: number;
  last?: number;
  until?: number;
  family?: number;
  threat?: number;
  confidence?: number;
  tags?: number;
  reference?: number;
  compromised?: number;
  category?: Category;
}

function col(header: string[], ...names: string[]): number | undefined {
  for (const name of names) {
    const i = header.indexOf(name);
    if (i >= 0) return i;
  }
  return undefined;
}

/** The layout a header describes, or null when no column holds indicator values. */
export function layoutOf(fields: string[]): Layout | null {
  const header = fields.map((f) => f.trim().toLowerCase());
  const found = VALUE_COLUMNS.find(([name]) => header.includes(name));
  if (found === undefined) return null;
  const [name, valueType] = found;
  const port = name === 'dst_ip' || name === 'ip' ? col(header, 'dst_port', 'port') : undefined;
  return {
    width: header.length,
    value: header.indexOf(name),
    valueName: name,
    valueType: port === undefined ? valueType : 'ip:port',
    port,
    type: col(header, 'ioc_type', 'indicator_type', 'type'),
    first: col(header, 'first_seen_utc', 'first_seen', 'firstseen', 'dateadded', 'date_added', 'created'),
    last: col(header, 'last_seen_utc', 'last_seen', 'lastseen', 'last_online'),
    until: col(header, 'valid_until', 'expiration', 'expires'),
    family: col(header, 'malware_printable', 'malware', 'family', 'malware_family'),
    threat: col(header, 'threat_type', 'threat', 'category'),
    confidence: col(header, 'confidence_level', 'confidence'),
    tags: col(header, 'tags', 'tag'),
    reference: col(header, 'reference', 'urlhaus_link', 'link'),
    compromised: col(header, 'is_compromised'),
    // Feodo Tracker lists botnet C2 servers; its header says so only through c2_status.
    category: header.includes('c2_status') ? 'botnet-c2' : undefined,
  };
}

function categoryOf(word: string | undefined): Category | undefined {
  const w = optional(word)?.toLowerCase();
  if (w === undefined) return undefined;
  return threatCategory(w) ?? ((KNOWN_CATEGORIES as readonly string[]).includes(w) ? w : undefined);
}

function rowItem(no: number, f: string[], l: Layout, raw: string): ParseItem {
  const at = (i: number | undefined): string | undefined => (i === undefined ? undefined : optional(f[i]));
  const needed = Math.max(l.value, l.port ?? 0, l.type ?? 0) + 1;
  if (f.length < needed) return rejected(no, `expected ${l.width} fields, got ${f.length}`, raw);
  let value = at(l.value);
  if (value === undefined) return rejected(no, 'empty value', raw);
  if (value.toLowerCase() === l.valueName) return skipped(no, 'repeated header');
  let type = l.valueType;
  if (l.type !== undefined) {
    const word = at(l.type)?.toLowerCase();
    const t = threatfoxType(word) ?? (word === undefined ? undefined : TYPE_WORDS[word]);
    if (t === undefined && word !== undefined) return skipped(no, `indicator type ${word}`);
    type = t ?? type;
  }
  if (l.port !== undefined) {
    const port = at(l.port);
    if (port === undefined) type = 'ip';
    else value = value.includes(':') ? `[${value}]:${port}` : `${value}:${port}`;
  }
  const tags = tagList(at(l.tags));
  if (/^(true|1|yes)$/i.test(at(l.compromised) ?? '')) tags.push('compromised');
  const meta: Omit<RawIndicator, 'value' | 'line'> = {
    type,
    category: categoryOf(at(l.threat)) ?? l.category,
    family: at(l.family),
    confidence: confidenceOf(at(l.confidence)),
    firstSeen: parseTime(at(l.first)),
    lastSeen: parseTime(at(l.last)),
    validUntil: parseTime(at(l.until)),
    tags,
    reference: at(l.reference),
  };
  return indicatorItem(value, no, meta);
}

/**
 * Records: a quoted field may run over several physical lines (RFC 4180 §2.6). The run is
 * bounded; when the quote never closes, only the first line is returned (to be rejected) and
 * the lines read ahead are given back, so one stray quote costs one line, not twenty.
 */
function* records(text: string): Generator<[number, string]> {
  const source = lines(text);
  const queue: [number, string][] = [];
  const next = (): [number, string] | undefined => {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    const r = source.next();
    return r.done === true ? undefined : r.value;
  };
  for (let first = next(); first !== undefined; first = next()) {
    let record = first[1];
    const taken: [number, string][] = [];
    let split = splitCsv(record);
    while (!split.ok && split.open && taken.length < 20 && record.length < 65_536 && !record.trimStart().startsWith('#')) {
      const more = next();
      if (more === undefined) break;
      taken.push(more);
      record += `\n${more[1]}`;
      split = splitCsv(record);
    }
    if (!split.ok && taken.length > 0) {
      queue.unshift(...taken);
      record = first[1];
    }
    yield [first[0], record];
  }
}

function* parse(text: string): Generator<ParseItem> {
  let layout: Layout | null = null;
  for (const [no, record] of records(text)) {
    const s = record.trim();
    if (s === '') continue;
    const comment = s.startsWith('#');
    if (layout !== null && comment) continue;
    const split = splitCsv(comment ? s.replace(/^#+\s*/, '') : record);
    if (layout === null) {
      layout = split.ok ? layoutOf(split.fields) : null;
      if (layout !== null || comment) continue;
      yield rejected(no, 'no CSV header naming a value column (value, indicator, ioc, url, domain, ip, …) before data', record);
      continue;
    }
    if (!split.ok) {
      yield rejected(no, split.error, record);
      continue;
    }
    yield rowItem(no, split.fields, layout, record);
  }
}

function sniff(head: string, fileName: string): number {
  const byName = /\.csv$/i.test(fileName) ? 0.15 : 0;
  for (const [, line] of lines(head)) {
    const s = line.trim().replace(/^#+\s*/, '');
    if (!s.includes(',')) continue;
    const split = splitCsv(s);
    if (split.ok && split.fields.length >= 2 && layoutOf(split.fields) !== null) return Math.min(1, 0.8 + byName);
  }
  return byName;
}

export const csvParser: FeedParser = {
  format: 'csv',
  description: 'CSV with a header naming the columns (URLhaus, ThreatFox, Feodo Tracker, or value/indicator/ioc/url/domain/ip)',
  sniff,
  parse,
};
