/** `minewarden hosts`: hosts discovered from events, newest activity first. */
import type { Command } from 'commander';
import { parseTime } from '../../events/index.ts';
import { runOp } from '../ops.ts';
import { json, table } from '../output.ts';

export function registerHosts(program: Command): void {
  program
    .command('hosts')
    .description('hosts discovered from events: address, site, unit, first and last seen, names')
    .option('-u, --unit <id>', 'a unit and every unit below it')
    .option('-s, --search <text>', 'part of an address or a name')
    .option('--since <time>', 'seen since: 15m, 24h, 7d back, an ISO time')
    .option('-n, --limit <n>', 'how many', '100')
    .option('--offset <n>', 'skip this many', '0')
    .option('--json', 'print JSON')
    .action(async (o: { unit?: string; search?: string; since?: string; limit: string; offset: string; json?: boolean }, cmd: Command) => {
      const hosts = await runOp(cmd, 'hosts.list', {
        ...(o.unit === undefined ? {} : { unit: o.unit }),
        ...(o.search === undefined ? {} : { search: o.search }),
        ...(o.since === undefined ? {} : { since: parseTime(o.since, Date.now(), '--since') }),
        limit: Number(o.limit), offset: Number(o.offset),
      });
      if (o.json === true) return json(hosts);
      if (hosts.length === 0) {
        process.stdout.write('no hosts yet: hosts appear as events arrive (DNS queries, flows, sensors)\n');
        return;
      }
      const t = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
      table(hosts.map((h) => ({
        id: `#${h.id}`, address: h.address, site: h.site || '-', unit: h.unit ?? '-', 'first seen': t(h.firstSeen), 'last seen': t(h.lastSeen),
        names: h.names.map((n) => `${n.name} (${n.source})`).join(', '),
      })));
    });
}
