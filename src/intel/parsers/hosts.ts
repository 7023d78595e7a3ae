/**
 * `hosts`: hosts(5) files used as blocklists — `0.0.0.0 name`, `127.0.0.1 name other …`.
 * Whatever the address, every name on a line is a block; the names a stock hosts file maps
 * for the machine itself (localhost, broadcasthost, ip6-* …) are skipped.
 */
import { isIP } from 'node:net';
import type { FeedParser, ParseItem } from './types.ts';
import { indicatorItem, lines, rejected, skipped } from './util.ts';

const LOCAL_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'local',
  'broadcasthost',
  'ip6-localhost',
  'ip6-loopback',
  'ip6-localnet',
  'ip6-mcastprefix',
  'ip6-allnodes',
  'ip6-allrouters',
  'ip6-allhosts',
  '0.0.0.0',
]);

/** The address column: an IP, possibly with an IPv6 zone (`fe80::1%lo0`). */
function isAddress(s: string): boolean {
  const zone = s.indexOf('%');
  return isIP(zone >= 0 ? s.slice(0, zone) : s) !== 0;
}

function fields(line: string): string[] {
  const hash = line.indexOf('#');
  const body = hash >= 0 ? line.slice(0, hash) : line;
  return body.trim().split(/\s+/).filter((f) => f !== '');
}

function* parse(text: string): Generator<ParseItem> {
  for (const [no, line] of lines(text)) {
    const f = fields(line);
    if (f.length === 0) continue;
    const [address, ...names] = f;
    if (address === undefined || !isAddress(address) || names.length === 0) {
      yield rejected(no, "expected '<address> <name> …'", line);
      continue;
    }
    for (const name of names) {
      if (LOCAL_NAMES.has(name.toLowerCase())) yield skipped(no, 'local hosts entry');
      else yield indicatorItem(name, no, { type: 'domain' });
    }
  }
}

function sniff(head: string, fileName: string): number {
  let values = 0;
  let good = 0;
  for (const [, line] of lines(head)) {
    const f = fields(line);
    if (f.length === 0) continue;
    values++;
    if (f.length >= 2 && f[0] !== undefined && isAddress(f[0])) good++;
  }
  const byName = /(^|[/\\])hosts([._-]|$)/i.test(fileName) ? 0.1 : 0;
  return values === 0 ? 0 : Math.min(1, 0.85 * (good / values) + byName);
}

export const hostsParser: FeedParser = {
  format: 'hosts',
  description: "hosts file: '0.0.0.0 name' / '127.0.0.1 name other'; localhost entries ignored",
  sniff,
  parse,
};
