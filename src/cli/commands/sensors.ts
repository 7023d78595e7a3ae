/**
 * `minewarden sensors`: what each running sensor has produced and skipped, with samples of bad
 * input; `minewarden ingest PATH…`: read capture and log files once into the store (pcap, Zeek,
 * Suricata EVE, NetFlow exports in a pcap, Minewarden JSON events).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { FILE_KINDS, type FileKind, type SensorHealthView } from '../../sensors/index.ts';
import { runOp } from '../ops.ts';
import { json, table } from '../output.ts';

const ago = (ms: number): string => {
  if (ms === 0) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};

function printSamples(views: readonly SensorHealthView[]): void {
  for (const h of views) {
    for (const b of h.samples.slice(-3)) process.stdout.write(`  ${h.id}: ${b.reason}${b.sample === '' ? '' : `\n      ${b.sample}`}\n`);
  }
}

export function registerSensors(program: Command): void {
  program
    .command('sensors')
    .description('health of the running sensors: events, parse errors with samples, rate, last event')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const r = await runOp(cmd, 'sensors.health', {});
      if (o.json === true) return json(r);
      if (!r.running) {
        process.stdout.write(r.configured.length === 0
          ? 'no sensors configured (sensors.netflow, .zeek, .suricata, .syslog, .http in minewarden.yaml; see README)\n'
          : `not running (start minewarden serve); configured:\n${r.configured.map((l) => `  ${l}`).join('\n')}\n`);
        return;
      }
      if (r.sensors.length > 0) {
        table(r.sensors.map((h) => ({
          sensor: h.id, kind: h.kind, events: h.events, errors: h.errors, 'per s': h.rate.toFixed(1), 'last event': ago(h.lastEventAt), detail: h.detail,
        })));
      } else process.stdout.write('no sensor running\n');
      for (const f of r.failed) process.stdout.write(`not started: ${f.id}: ${f.error}\n`);
      if (r.sensors.some((h) => h.samples.length > 0)) {
        process.stdout.write('latest bad input:\n');
        printSamples(r.sensors);
      }
    });

  program
    .command('ingest')
    .description('read capture and log files once into the store: pcap/pcapng, Zeek logs (files or a folder), Suricata eve.json, NetFlow exports in a pcap, JSON events')
    .argument('<paths...>', 'files or folders')
    .option('-t, --type <kind>', `what the files are (${FILE_KINDS.join(', ')}); detected when left out`)
    .option('--site <key>', 'site the capture was taken at (decides which unit an address belongs to)')
    .option('--json', 'print JSON')
    .action(async (paths: string[], o: { type?: string; site?: string; json?: boolean }, cmd: Command) => {
      if (o.type !== undefined && !(FILE_KINDS as readonly string[]).includes(o.type)) {
        throw new MinewardenError('MW_ERR_BAD_INPUT', `--type must be one of ${FILE_KINDS.join(', ')}`);
      }
      const { files: results, incidents } = await runOp(cmd, 'sensors.read', {
        paths: paths.map((p) => resolve(p)),
        ...(o.type === undefined ? {} : { kind: o.type as FileKind }),
        ...(o.site === undefined ? {} : { site: o.site }),
      });
      if (o.json === true) return json({ files: results, incidents });
      table(results.map((r) => ({ file: r.path, type: r.kind, events: r.health.events, skipped: r.health.errors, detail: r.health.detail })));
      printSamples(results.map((r) => r.health));
      if (incidents.length > 0) {
        process.stdout.write(`${incidents.length} incident(s) opened or updated:\n`);
        for (const i of incidents) process.stdout.write(`  #${i.id} [${i.severity}] ${i.title}${i.hosts > 1 ? ` (${i.hosts} hosts)` : ''}\n`);
        process.stdout.write('see them with: minewarden incidents\n');
      }
      process.stdout.write('see them with: minewarden events query -k flow|dns|http|tls --since 30d\n');
    });
}
