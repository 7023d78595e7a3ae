/**
 * `threatfox-json`: abuse.ch ThreatFox in its two JSON shapes.
 *   export  (threatfox.abuse.ch/export/json/…): `{ "<ioc_id>": [ { ioc_value, ioc_type,
 *           threat_type, malware_printable, confidence_level, first_seen_utc, last_seen_utc,
 *           tags: "a,b", reference, … } ], … }`
 *   API     (threatfox-api.abuse.ch/api/v1/): `{ query_status: "ok", data: [ { ioc, ioc_type,
 *           threat_type, malware_printable, confidence_level, first_seen: "… UTC", tags: [..] } ] }`
 * Records are numbered in file order (1-based) for error reports.
 */
import type { FeedParser, ParseItem } from './types.ts';
import type { JsonObject } from './util.ts';
import {
  confidenceOf, indicatorItem, isObject, optional, parseTime, readJson, rejected, sampleOf, skipped, str, tagList,
  threatCategory, threatfoxType,
} from './util.ts';

function entryItem(no: number, e: unknown): ParseItem {
  if (!isObject(e)) return rejected(no, 'ThreatFox entry is not an object', sampleOf(e));
  const value = str(e, 'ioc_value') ?? str(e, 'ioc');
  const typeWord = str(e, 'ioc_type');
  if (value === undefined) return rejected(no, 'ThreatFox entry without ioc_value', sampleOf(e));
  const type = threatfoxType(typeWord);
  if (type === undefined) return skipped(no, `ioc_type ${typeWord ?? '(none)'}`);
  const tags = tagList(e.tags);
  if (e.is_compromised === true || str(e, 'is_compromised')?.toLowerCase() === 'true') tags.push('compromised');
  return indicatorItem(value, no, {
    type,
    category: threatCategory(str(e, 'threat_type')),
    family: optional(str(e, 'malware_printable')),
    confidence: confidenceOf(e.confidence_level),
    firstSeen: parseTime(e.first_seen_utc ?? e.first_seen),
    lastSeen: parseTime(e.last_seen_utc ?? e.last_seen),
    tags,
    reference: optional(str(e, 'reference')),
  });
}

function* apiResponse(top: JsonObject): Generator<ParseItem> {
  const status = str(top, 'query_status');
  const data = top.data;
  if (!Array.isArray(data)) {
    // no_result is an answer, not an error: nothing to import.
    if (status === 'no_result' || status === 'ok') return;
    yield rejected(1, `ThreatFox query_status ${status ?? '(none)'}`, typeof data === 'string' ? data : '');
    return;
  }
  let no = 0;
  for (const e of data) yield entryItem(++no, e);
}

/**
 * The export's keys in file order. JSON.parse keeps them, but JS walks integer-like keys in
 * ascending order, and record numbers should follow the file (newest first, as abuse.ch writes).
 */
function fileOrder(text: string, keys: string[]): string[] {
  const pos = new Map<string, number>();
  for (const m of text.matchAll(/"(\d+)"\s*:/g)) if (m[1] !== undefined && !pos.has(m[1])) pos.set(m[1], m.index);
  return keys.sort((a, b) => (pos.get(a) ?? Infinity) - (pos.get(b) ?? Infinity));
}

function* parse(text: string): Generator<ParseItem> {
  const top = yield* readJson(text);
  if (top === undefined) return;
  if (!isObject(top)) {
    yield rejected(1, 'ThreatFox JSON must be an object', text);
    return;
  }
  if ('query_status' in top) {
    yield* apiResponse(top);
    return;
  }
  let no = 0;
  for (const id of fileOrder(text, Object.keys(top))) {
    const entries = top[id];
    if (!Array.isArray(entries)) {
      yield rejected(++no, `ThreatFox export: ioc ${id} is not an array`, sampleOf(entries));
      continue;
    }
    for (const e of entries) yield entryItem(++no, e);
  }
}

function sniff(head: string): number {
  if (!/^\uFEFF?\s*\{/.test(head)) return 0;
  if (/"ioc_value"\s*:/.test(head) && /"ioc_type"\s*:/.test(head)) return 0.9;
  if (/"query_status"\s*:/.test(head) && /"ioc_type"\s*:|"data"\s*:/.test(head)) return 0.85;
  return 0;
}

export const threatfoxJsonParser: FeedParser = {
  format: 'threatfox-json',
  description: 'abuse.ch ThreatFox JSON (export keyed by ioc_id, or API response {query_status, data})',
  sniff,
  parse,
};
