/**
 * A STIX 2.1 bundle of indicator SDOs (STIX 2.1 §4.7), written object by object so that the
 * bundle is never one string. Ids are UUIDv5 of (type, value, source), so a re-export names
 * the same object and consumers see a new version (a later `modified`) rather than a duplicate.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Indicator, IndicatorType } from '../../model/indicator.ts';
import { isExpired, isoTime, validTime } from './common.ts';
import type { ResolvedExportOptions } from './types.ts';

/** Namespace for Minewarden indicator ids (chosen once at random; never change it). */
const ID_NAMESPACE = '4c297ae4-4d85-416b-8844-4ef041373f49';

export interface StixIndicator {
  type: 'indicator';
  spec_version: '2.1';
  id: string;
  created: string;
  modified: string;
  name: string;
  description: string;
  indicator_types: string[];
  pattern: string;
  pattern_type: 'stix';
  pattern_version: '2.1';
  valid_from: string;
  valid_until?: string;
  labels?: string[];
  confidence: number;
}

export function* stixChunks(indicators: Iterable<Indicator>, o: ResolvedExportOptions): Generator<string, void, undefined> {
  const bundleId = `bundle--${randomUUID()}`;
  const ids = new Set<string>();
  let first = true;
  for (const ind of indicators) {
    if (isExpired(ind, o.now)) continue;
    const sdo = stixIndicator(ind, o.now);
    if (sdo === null || ids.has(sdo.id)) continue;
    ids.add(sdo.id);
    yield `${first ? `{"type":"bundle","id":"${bundleId}","objects":[\n` : ',\n'}${JSON.stringify(sdo)}`;
    first = false;
  }
  // A bundle's objects, when present, must hold at least one object (STIX 2.1 §8).
  yield first ? `{"type":"bundle","id":"${bundleId}"}\n` : '\n]}\n';
}

/** The indicator SDO, or null when the value cannot be written as a pattern. */
export function stixIndicator(ind: Indicator, now: number): StixIndicator | null {
  const pattern = stixPattern(ind.type, ind.value);
  if (pattern === null) return null;
  // `created` must not change between versions of one object, so it comes from the data.
  const created = validTime(ind.firstSeen) ?? validTime(ind.lastSeen) ?? now;
  const modified = Math.max(created, validTime(ind.lastSeen) ?? created);
  const until = validTime(ind.validUntil);
  const createdIso = isoTime(created);
  const details = [`source ${ind.source}`, ind.family === '' ? '' : `family ${ind.family}`, ind.reference];
  const sdo: StixIndicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidV5(ID_NAMESPACE, JSON.stringify([ind.type, ind.value, ind.source]))}`,
    created: createdIso,
    modified: modified === created ? createdIso : isoTime(modified),
    name: ind.category === '' ? ind.value : `${ind.category}: ${ind.value}`,
    description: details.filter((d) => d !== '').join('; '),
    indicator_types: ['malicious-activity'],
    pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: createdIso,
    confidence: Math.max(0, Math.min(100, Math.round(ind.confidence))),
  };
  // valid_until must be later than valid_from (STIX 2.1 §4.7).
  if (until !== null && until > created) sdo.valid_until = isoTime(until);
  if (ind.category !== '') sdo.labels = [ind.category];
  return sdo;
}

/** A STIX pattern (STIX 2.1 §9) matching the indicator, or null for a malformed ip:port. */
export function stixPattern(type: IndicatorType, value: string): string | null {
  switch (type) {
    case 'domain':
      return compare('domain-name:value', value);
    case 'ip':
    case 'cidr':
      // The ipv4-addr and ipv6-addr value properties accept CIDR blocks as well as addresses.
      return compare(value.includes(':') ? 'ipv6-addr:value' : 'ipv4-addr:value', value);
    case 'url':
      return compare('url:value', value);
    case 'md5':
      return compare('file:hashes.MD5', value);
    case 'sha1':
      return compare("file:hashes.'SHA-1'", value);
    case 'sha256':
      return compare("file:hashes.'SHA-256'", value);
    case 'ip:port': {
      const m = /^(?:\[([0-9a-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/i.exec(value);
      if (m === null) return null;
      const v6 = m[1];
      const addr = v6 ?? m[2] ?? '';
      const kind = v6 === undefined ? 'ipv4-addr' : 'ipv6-addr';
      return (
        `[network-traffic:dst_ref.type = '${kind}' AND network-traffic:dst_ref.value = '${escapeLiteral(addr)}'` +
        ` AND network-traffic:dst_port = ${Number(m[3])}]`
      );
    }
  }
}

/** Single-quoted pattern string literal: backslash and quote are escaped (STIX 2.1 §9). */
export function escapeLiteral(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

function compare(path: string, value: string): string {
  return `[${path} = '${escapeLiteral(value)}']`;
}

/** RFC 4122 §4.3 name-based UUID, SHA-1 flavour (version 5). */
export function uuidV5(namespace: string, name: string): string {
  const h = createHash('sha1').update(namespaceBytes(namespace)).update(name, 'utf8').digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

// The namespace is parsed once, not once per id: one export makes an id per indicator.
let lastNamespace = '';
let lastNamespaceBytes = Buffer.alloc(0);
function namespaceBytes(namespace: string): Buffer {
  if (namespace !== lastNamespace) {
    lastNamespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    lastNamespace = namespace;
  }
  return lastNamespaceBytes;
}
