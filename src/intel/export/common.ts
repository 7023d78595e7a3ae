/**
 * What every exporter shares: option checks, the expiry rule, the domain test, comment
 * hygiene and the chunking that keeps a million entries from becoming one string.
 */
import { isIP } from 'node:net';
import type { Indicator } from '../../model/indicator.ts';
import { normalizeDomain } from '../normalize.ts';
import type { ExportOptions, ResolvedExportOptions } from './types.ts';

/** Chunks of about this many characters: few enough writes, small enough to never matter. */
export const CHUNK_CHARS = 64 * 1024;

export function resolveOptions(opts: ExportOptions = {}): ResolvedExportOptions {
  const rawZone = opts.zoneName ?? 'rpz.minewarden';
  const zoneName = normalizeDomain(rawZone);
  // The zone name must leave room for the names under it (255 octets in all, RFC 1035 §2.3.4).
  if (zoneName === null || zoneName.length > 200) throw new Error(`export: invalid RPZ zone name "${rawZone}"`);
  const sinkhole = opts.sinkhole ?? '0.0.0.0';
  if (isIP(sinkhole) === 0) throw new Error(`export: sinkhole must be an IP address, got "${sinkhole}"`);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(now) || now < 0) throw new Error(`export: now must be epoch seconds, got ${now}`);
  return { zoneName, sinkhole, now };
}

/** An indicator whose hard expiry has passed is not part of the active set. */
export function isExpired(ind: Indicator, now: number): boolean {
  return ind.validUntil > 0 && ind.validUntil <= now;
}

/** True for a domain already in canonical form, i.e. safe to write unquoted in any list or zone. */
export function isCanonicalDomain(value: string): boolean {
  return normalizeDomain(value) === value;
}

/** Feed-supplied text made safe for a one-line comment. */
export function commentText(s: string, max = 80): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const clean = s.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return clean.length <= max ? clean : `${clean.slice(0, max)}…`;
}

/** Epoch seconds as RFC 3339 with milliseconds (STIX 2.1 wants them on created and modified). */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** A plausible epoch-seconds value (after 1970, before year 10000), else null. */
export function validTime(seconds: number): number | null {
  return Number.isFinite(seconds) && seconds > 0 && seconds < 253_402_300_800 ? Math.floor(seconds) : null;
}

/** Joins small pieces into chunks of about `size` characters. */
export function* chunked(parts: Iterable<string>, size = CHUNK_CHARS): Generator<string, void, undefined> {
  let buf: string[] = [];
  let len = 0;
  for (const part of parts) {
    buf.push(part);
    len += part.length;
    if (len >= size) {
      yield buf.join('');
      buf = [];
      len = 0;
    }
  }
  if (len > 0) yield buf.join('');
}
