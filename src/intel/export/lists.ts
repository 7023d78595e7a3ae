/** The plain formats: hosts file lines and a bare domain list (domains only). */
import type { Indicator } from '../../model/indicator.ts';
import { isCanonicalDomain, isExpired, isoTime } from './common.ts';
import type { ResolvedExportOptions } from './types.ts';

/** Active, well-formed domains, each once. */
function* activeDomains(indicators: Iterable<Indicator>, now: number): Generator<string, void, undefined> {
  const seen = new Set<string>();
  for (const ind of indicators) {
    if (ind.type !== 'domain' || isExpired(ind, now) || seen.has(ind.value)) continue;
    if (!isCanonicalDomain(ind.value)) continue;
    seen.add(ind.value);
    yield ind.value;
  }
}

/** `0.0.0.0 name` lines after one comment line (every hosts reader skips `#` lines). */
export function* hostsLines(indicators: Iterable<Indicator>, o: ResolvedExportOptions): Generator<string, void, undefined> {
  yield `# Minewarden blocklist (hosts format), generated ${isoTime(o.now)}\n`;
  for (const name of activeDomains(indicators, o.now)) yield `${o.sinkhole} ${name}\n`;
}

/** One domain per line and nothing else: some consumers of bare lists do not skip comments. */
export function* domainLines(indicators: Iterable<Indicator>, o: ResolvedExportOptions): Generator<string, void, undefined> {
  for (const name of activeDomains(indicators, o.now)) yield `${name}\n`;
}
