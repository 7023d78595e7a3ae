/**
 * Front door of intel/export: the active indicator set in formats that DNS servers and
 * firewalls read (RPZ for BIND/Unbound, hosts, a bare domain list) and as a STIX 2.1 bundle.
 */
import type { Indicator } from '../../model/indicator.ts';
import { chunked, resolveOptions } from './common.ts';
import { domainLines, hostsLines } from './lists.ts';
import { rpzLines } from './rpz.ts';
import { stixChunks } from './stix.ts';
import type { ExportFormat, ExportOptions } from './types.ts';

export { EXPORT_FORMATS } from './types.ts';
export type { ExportFormat, ExportOptions } from './types.ts';
export { ipv6RpzLabels, rpzIpTrigger } from './rpz-ip.ts';

/**
 * Streams the export as text chunks of about 64 KiB (a generator), so a million entries never
 * build one giant string. Options are checked at once (a bad option throws here, not at the
 * first chunk); the indicators are read lazily, once, as the chunks are consumed. Indicators
 * whose validUntil has passed at `now` are left out of every format.
 */
export function exportIndicators(
  indicators: Iterable<Indicator>,
  format: ExportFormat,
  opts?: ExportOptions,
): Iterable<string> {
  const o = resolveOptions(opts);
  switch (format) {
    case 'rpz':
      return chunked(rpzLines(indicators, o));
    case 'hosts':
      return chunked(hostsLines(indicators, o));
    case 'domains':
      return chunked(domainLines(indicators, o));
    case 'stix':
      return chunked(stixChunks(indicators, o));
    default: {
      const never: never = format;
      throw new Error(`export: unknown format "${String(never)}"`);
    }
  }
}
