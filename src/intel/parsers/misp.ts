/**
 * `misp`: MISP event JSON — `{"Event": {…}}`, a bare event, or a restSearch answer
 * `{"response": [{"Event": …}, …]}` — with attributes at the top and inside objects.
 *
 * to_ids decides blocking: an attribute with `to_ids: true` is a detection indicator; one with
 * `to_ids: false` is context the analyst did not mean for detection, so it is emitted with
 * `blocking: false` (the engine may show or monitor it, never block on it).
 *
 * A MISP feed's manifest.json (event UUID → {info, Orgc, date, …}) holds no indicators: parse()
 * yields nothing for it and parseMispManifest() lists the events to fetch as `<base>/<uuid>.json`.
 */
import type { IndicatorType } from '../../model/indicator.ts';
import type { FeedParser, ParseItem } from './types.ts';
import type { JsonObject } from './util.ts';
import { arr, isObject, indicatorItem, parseTime, rejected, sampleOf, skipped, str, parseJson, readJson } from './util.ts';

/** MISP attribute type → the model type of each `|`-separated part (undefined = not an indicator). */
const TYPES: Record<string, readonly (IndicatorType | undefined)[]> = {
  domain: ['domain'],
  hostname: ['domain'],
  'ip-dst': ['ip'],
  'ip-src': ['ip'],
  'ip-dst|port': ['ip:port'],
  'ip-src|port': ['ip:port'],
  url: ['url'],
  uri: ['url'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'domain|ip': ['domain', 'ip'],
  'filename|md5': [undefined, 'md5'],
  'filename|sha1': [undefined, 'sha1'],
  'filename|sha256': [undefined, 'sha256'],
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface EventContext {
  tags: string[];
  reference?: string;
  family?: string;
}

function tagNames(o: JsonObject): string[] {
  return arr(o, 'Tag').flatMap((t) => (isObject(t) && typeof t.name === 'string' ? [t.name] : []));
}

const MALWARE_GALAXY = /^misp-galaxy:(malpedia|mitre-malware|ransomware|botnet|banker|rat|stealer|android)="(.+)"$/;
const ACTOR_GALAXY = /^misp-galaxy:(threat-actor|mitre-intrusion-set)="(.+)"$/;

/**
 * The family an event names: its malware galaxy cluster when there is exactly one, else its
 * threat actor when there is exactly one (an APT event lists the actor's whole toolset).
 */
function familyOf(tags: string[]): string | undefined {
  const pick = (re: RegExp): string[] => [...new Set(tags.flatMap((t) => re.exec(t)?.[2] ?? []))];
  const malware = pick(MALWARE_GALAXY);
  if (malware.length === 1) return malware[0];
  const actors = pick(ACTOR_GALAXY);
  return actors.length === 1 ? actors[0] : undefined;
}

/** The value of an `ip|port` attribute as ip:port (IPv6 bracketed). */
function ipPort(ip: string, port: string): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function* attributeItems(no: number, a: unknown, ev: EventContext): Generator<ParseItem> {
  if (!isObject(a)) {
    yield rejected(no, 'MISP attribute is not an object', sampleOf(a));
    return;
  }
  const type = str(a, 'type') ?? '';
  const value = str(a, 'value');
  if (value === undefined) {
    yield rejected(no, 'MISP attribute without a value', sampleOf(a));
    return;
  }
  if (a.deleted === true) {
    yield skipped(no, 'deleted attribute');
    return;
  }
  const parts = TYPES[type];
  if (parts === undefined || parts.every((p) => p === undefined)) {
    yield skipped(no, `MISP type ${type}`);
    return;
  }
  const toIds = a.to_ids === true || a.to_ids === '1' || a.to_ids === 1;
  const tags = [...ev.tags, ...tagNames(a).filter((t) => !ev.tags.includes(t))];
  const meta = {
    family: ev.family,
    reference: ev.reference,
    tags,
    firstSeen: parseTime(a.first_seen),
    lastSeen: parseTime(a.last_seen) ?? parseTime(a.timestamp),
    blocking: toIds ? undefined : false,
  };
  const pieces = value.split('|');
  if (type.endsWith('|port')) {
    const [ip = '', port = ''] = pieces;
    yield indicatorItem(ipPort(ip, port), no, { ...meta, type: 'ip:port' });
    return;
  }
  if (pieces.length !== parts.length) {
    yield rejected(no, `MISP ${type} value needs ${parts.length} part(s)`, value);
    return;
  }
  for (const [i, t] of parts.entries()) {
    const piece = pieces[i] ?? '';
    if (t === undefined) continue;
    if (type === 'uri' && !piece.includes('://')) {
      yield skipped(no, 'MISP uri without a host');
      continue;
    }
    // ip-src/ip-dst may hold a CIDR; let the value decide between ip and cidr.
    yield indicatorItem(piece, no, { ...meta, type: t === 'ip' && piece.includes('/') ? 'cidr' : t });
  }
}

function* eventItems(event: JsonObject, start: number): Generator<ParseItem, number> {
  const tags = tagNames(event);
  const ev: EventContext = { tags, reference: str(event, 'info'), family: familyOf(tags) };
  let no = start;
  for (const a of arr(event, 'Attribute')) yield* attributeItems(++no, a, ev);
  for (const o of arr(event, 'Object')) {
    if (!isObject(o)) {
      yield rejected(++no, 'MISP object is not an object', sampleOf(o));
      continue;
    }
    if (o.deleted === true) continue;
    for (const a of arr(o, 'Attribute')) yield* attributeItems(++no, a, ev);
  }
  return no;
}

function isManifest(top: JsonObject): boolean {
  const keys = Object.keys(top);
  return keys.length > 0 && keys.every((k) => UUID.test(k) && isObject(top[k]));
}

/** Event UUIDs listed in a MISP feed's manifest.json; [] for anything else. Never throws. */
export function parseMispManifest(text: string): string[] {
  const json = parseJson(text);
  if (!json.ok || !isObject(json.value) || !isManifest(json.value)) return [];
  return Object.keys(json.value);
}

function* parse(text: string): Generator<ParseItem> {
  const top = yield* readJson(text);
  if (top === undefined) return;
  if (!isObject(top)) {
    yield rejected(1, 'MISP JSON must be an object', text);
    return;
  }
  const events: unknown[] = Array.isArray(top.response) ? top.response : [top];
  let no = 0;
  for (const e of events) {
    if (isObject(e) && isObject(e.Event)) {
      no = yield* eventItems(e.Event, no); // an event may have no attributes yet
    } else if (isObject(e) && ('Attribute' in e || 'Object' in e)) {
      no = yield* eventItems(e, no);
    } else if (!(isObject(e) && isManifest(e))) {
      yield rejected(no + 1, 'not a MISP event (no Event, Attribute or Object)', sampleOf(e));
    }
  }
}

function sniff(head: string, fileName: string): number {
  if (!/^\uFEFF?\s*[{[]/.test(head)) return 0;
  if (/"Event"\s*:\s*\{/.test(head)) return 0.95;
  if (/"Attribute"\s*:\s*\[/.test(head) && /"to_ids"\s*:|"category"\s*:/.test(head)) return 0.9;
  if (/"Orgc"\s*:/.test(head) && /"threat_level_id"\s*:/.test(head)) return /manifest\.json$/i.test(fileName) ? 0.95 : 0.8;
  return 0;
}

export const mispParser: FeedParser = {
  format: 'misp',
  description: 'MISP event JSON (to_ids=false attributes are informational: blocking false); feed manifest lists events',
  sniff,
  parse,
};
