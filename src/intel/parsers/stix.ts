/**
 * `stix`: STIX 2.1 JSON — a bundle, a TAXII 2.1 envelope (`{objects: […]}`), an array of
 * objects or a single indicator. Each `indicator` with `pattern_type: stix` (the default) gives
 * the values its pattern matches on its own (see stix-pattern.ts); other pattern languages
 * (snort, yara, sigma…), revoked and `benign` indicators are skipped with their reason.
 * valid_from → firstSeen, valid_until → validUntil, labels and indicator_types → tags,
 * name → reference, confidence → confidence. The family comes from `indicates` relationships
 * to malware (when they name exactly one), and malware typed `resource-exploitation` (STIX's word
 * for cryptominers) makes the category miner-malware. Records are numbered by their position
 * in the objects array (1-based).
 */
import type { Category } from '../../model/indicator.ts';
import { patternValues } from './stix-pattern.ts';
import type { FeedParser, ParseItem } from './types.ts';
import type { JsonObject } from './util.ts';
import { confidenceOf, indicatorItem, isObject, parseTime, rejected, sampleOf, skipped, str, tagList, readJson } from './util.ts';

/** indicator_types (STIX 2.1 §10.13 indicator-type-ov) → category hint. */
const TYPE_CATEGORIES: Record<string, Category> = {
  'malicious-activity': 'malware',
  anonymization: 'suspicious',
  'anomalous-activity': 'suspicious',
  compromised: 'suspicious',
};

interface Malware {
  name: string;
  miner: boolean;
}

/** indicator id → the malware it indicates, from `indicates` relationships. */
function malwareByIndicator(objects: unknown[]): Map<string, Malware[]> {
  const malware = new Map<string, Malware>();
  for (const o of objects) {
    if (!isObject(o) || o.type !== 'malware') continue;
    const id = str(o, 'id');
    const name = str(o, 'name');
    const types = [...tagList(o.malware_types), ...tagList(o.labels)];
    if (id !== undefined && name !== undefined) malware.set(id, { name, miner: types.includes('resource-exploitation') });
  }
  const out = new Map<string, Malware[]>();
  for (const o of objects) {
    if (!isObject(o) || o.type !== 'relationship' || o.relationship_type !== 'indicates') continue;
    const m = malware.get(str(o, 'target_ref') ?? '');
    const source = str(o, 'source_ref');
    if (m === undefined || source === undefined) continue;
    out.set(source, [...(out.get(source) ?? []), m]);
  }
  return out;
}

function* indicatorItems(no: number, o: JsonObject, related: Malware[]): Generator<ParseItem> {
  const patternType = (str(o, 'pattern_type') ?? 'stix').toLowerCase();
  if (patternType !== 'stix') {
    yield skipped(no, `pattern_type ${patternType}`);
    return;
  }
  if (o.revoked === true) {
    yield skipped(no, 'revoked indicator');
    return;
  }
  const types = tagList(o.indicator_types);
  const labels = tagList(o.labels);
  if (types.includes('benign') || labels.includes('benign')) {
    yield skipped(no, 'benign indicator');
    return;
  }
  const pattern = str(o, 'pattern');
  if (pattern === undefined) {
    yield rejected(no, 'indicator without a pattern', sampleOf(o));
    return;
  }
  const parsed = patternValues(pattern);
  if (!parsed.ok) {
    yield rejected(no, `STIX pattern: ${parsed.error}`, pattern);
    return;
  }
  const families = [...new Set(related.map((m) => m.name))];
  const hint = [...types, ...labels].map((t) => TYPE_CATEGORIES[t]).find((c) => c !== undefined);
  const meta = {
    category: related.some((m) => m.miner) ? 'miner-malware' : hint,
    family: families.length === 1 ? families[0] : undefined,
    confidence: confidenceOf(o.confidence),
    firstSeen: parseTime(o.valid_from),
    validUntil: parseTime(o.valid_until),
    tags: [...new Set([...labels, ...types])],
    reference: str(o, 'name'),
  };
  for (const v of parsed.values) yield indicatorItem(v.value, no, { ...meta, type: v.type });
  for (const reason of parsed.unsupported) yield skipped(no, reason);
}

function objectsOf(top: unknown): unknown[] | null {
  if (Array.isArray(top)) return top as unknown[];
  if (!isObject(top)) return null;
  if (Array.isArray(top.objects)) return top.objects as unknown[];
  return top.type === 'indicator' ? [top] : null;
}

function* parse(text: string): Generator<ParseItem> {
  const doc = yield* readJson(text);
  if (doc === undefined) return;
  const objects = objectsOf(doc);
  if (objects === null) {
    yield rejected(1, 'not a STIX bundle, envelope or indicator', text);
    return;
  }
  const related = malwareByIndicator(objects);
  for (const [i, o] of objects.entries()) {
    if (!isObject(o)) {
      yield rejected(i + 1, 'STIX object is not an object', sampleOf(o));
      continue;
    }
    if (o.type !== 'indicator') continue;
    yield* indicatorItems(i + 1, o, related.get(str(o, 'id') ?? '') ?? []);
  }
}

function sniff(head: string): number {
  if (!/^\uFEFF?\s*[{[]/.test(head)) return 0;
  if (/"type"\s*:\s*"bundle"/.test(head)) return 0.95;
  if (/"spec_version"\s*:\s*"2\.[01]"/.test(head) || /"pattern"\s*:\s*"\[/.test(head)) return 0.85;
  if (/"objects"\s*:\s*\[/.test(head) && /"type"\s*:\s*"(indicator|malware|identity|relationship)"/.test(head)) return 0.8;
  return 0;
}

export const stixParser: FeedParser = {
  format: 'stix',
  description: 'STIX 2.1 bundle/envelope: indicator patterns on domain, IP, URL and file hashes (OR-combined)',
  sniff,
  parse,
};
