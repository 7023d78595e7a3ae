/**
 * `adblock`: AdBlock Plus / uBlock Origin filter lists. Only rules that name a whole host (or a
 * host and a fixed path) become indicators:
 *   `||host^`, `||host^$opts`, `||host`, `||host$opts`      → the host (domain or IP)
 *   `||host/path`, `||host/path^$opts`, `|http://host/path|` → a URL
 * Everything else is counted as skipped with its reason: exception rules (`@@`), cosmetic rules
 * (`##`, `#@#`, `#?#`, `#$#`, `#%#`), regex and substring patterns, wildcards, and host rules
 * followed by more pattern (`||ddns.net^*=ws://` blocks some URLs on ddns.net, not ddns.net).
 */
import type { FeedParser, ParseItem } from './types.ts';
import { indicatorItem, lines, skipped } from './util.ts';

const COSMETIC = /#[@?$%]?#|#\$\?#|#@[$?%]#/;
const HOST = /^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?$|^\[[0-9a-f:.]+\]$/i;
const PATH = /^\/[^\s*^|$]*$/;
const IP_PORT = /^\d{1,3}(?:\.\d{1,3}){3}:\d{1,5}$/;

function classify(no: number, rule: string): ParseItem {
  if (rule.startsWith('@@')) return skipped(no, 'exception rule (@@)');
  if (COSMETIC.test(rule)) return skipped(no, 'cosmetic rule');
  if (rule.startsWith('||')) return hostRule(no, rule.slice(2));
  if (rule.startsWith('|') && /^\|https?:\/\//i.test(rule)) return addressRule(no, rule.slice(1));
  if (rule.startsWith('/') && rule.lastIndexOf('/') > 0 && /\/(\$.*)?$/.test(rule)) return skipped(no, 'regex rule');
  return skipped(no, 'pattern rule (not host-anchored)');
}

/** Splits `pattern$options` at the options separator (a `$` that is not inside a regex). */
function withoutOptions(rule: string): string {
  const dollar = rule.lastIndexOf('$');
  return dollar >= 0 ? rule.slice(0, dollar) : rule;
}

function hostRule(no: number, rest: string): ParseItem {
  let pattern = withoutOptions(rest);
  if (pattern.endsWith('^') || pattern.endsWith('|')) pattern = pattern.slice(0, -1);
  if (pattern.includes('*')) return skipped(no, 'wildcard pattern');
  const slash = pattern.indexOf('/');
  const host = slash >= 0 ? pattern.slice(0, slash) : pattern;
  const path = slash >= 0 ? pattern.slice(slash) : '';
  if (host.includes('^') || path.includes('^') || path.includes('|')) return skipped(no, 'host rule with a further pattern');
  const port = IP_PORT.exec(host);
  if (port) return path === '' ? indicatorItem(host, no, { type: 'ip:port' }) : skipped(no, 'host rule with a port and path');
  if (host.includes(':')) return skipped(no, 'host rule with a port');
  if (path === '' || path === '/' || !HOST.test(host)) return indicatorItem(host, no); // a bad host is rejected there
  if (!PATH.test(path)) return skipped(no, 'host rule with a further pattern');
  return indicatorItem(`${host}${path}`, no, { type: 'url' });
}

function addressRule(no: number, rest: string): ParseItem {
  let pattern = withoutOptions(rest);
  if (pattern.endsWith('|') || pattern.endsWith('^')) pattern = pattern.slice(0, -1);
  if (/[*^|]/.test(pattern)) return skipped(no, 'wildcard pattern');
  return indicatorItem(pattern, no, { type: 'url' });
}

function* parse(text: string): Generator<ParseItem> {
  for (const [no, line] of lines(text)) {
    const rule = line.trim();
    if (rule === '' || rule.startsWith('!')) continue;
    if (no === 1 && /^\[(adblock|ublock|adguard)/i.test(rule)) continue;
    if (/^\[.*\]$/.test(rule)) continue;
    yield classify(no, rule);
  }
}

function sniff(head: string, fileName: string): number {
  if (/^\uFEFF?\s*\[(adblock|ublock|adguard)[^\]]*\]/i.test(head)) return 0.95;
  let rules = 0;
  let abp = 0;
  for (const [, line] of lines(head)) {
    const s = line.trim();
    if (s === '') continue;
    rules++;
    if (s.startsWith('||') || s.startsWith('!') || s.startsWith('@@') || COSMETIC.test(s)) abp++;
  }
  const byName = /(adblock|ublock|abp|filters?)[^/\\]*\.txt$/i.test(fileName) ? 0.05 : 0;
  return rules === 0 ? 0 : Math.min(1, 0.9 * (abp / rules) + byName);
}

export const adblockParser: FeedParser = {
  format: 'adblock',
  description: 'AdBlock Plus / uBlock filter list: ||host^ rules (cosmetic, exception and pattern rules skipped)',
  sniff,
  parse,
};
