/**
 * `minewarden db stats`, `minewarden backup DIR`, `minewarden restore DIR`: what the store holds,
 * a consistent copy while running, and putting a copy back.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { callControl } from '../../api/index.ts';
import { restoreStore } from '../../store/index.ts';
import { configFrom } from '../context.ts';
import { runOp, type DbStats } from '../ops.ts';
import { json, table } from '../output.ts';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function printStats(s: DbStats): void {
  const out = process.stdout;
  out.write(`data directory ${s.dataDir}${s.server ? ' (figures from the running server)' : ''}\n\n`);
  table(Object.entries(s.events.kinds).map(([kind, k]) => ({ kind, events: k.rows.toLocaleString('en'), oldest: when(k.oldest), newest: when(k.newest) })));
  const perEvent = s.events.bytesPerEvent === null ? '' : ` (${s.events.bytesPerEvent.toFixed(1)} bytes per event)`;
  out.write(`\nhosts ${s.events.hosts.toLocaleString('en')}, roll-up rows ${s.events.rollupRows.toLocaleString('en')}, events database ${bytes(s.events.bytes)}, ${bytes(s.events.usedBytes)} in use${perEvent}\n`);
  out.write(`indicators ${s.state.indicators.toLocaleString('en')}, units ${s.state.units}\n`);
  const w = s.writer;
  out.write(`writer: ${w.written.toLocaleString('en')} written, ${w.pending.toLocaleString('en')} pending, ${w.spoolPending.toLocaleString('en')} in the spool, ${w.dropped} dropped, ${w.failures} failed writes${w.lastError === null ? '' : `, last error at ${when(w.lastErrorAt)}: ${w.lastError}`}\n`);
  if (s.sink.rejected > 0) out.write(`sink: ${s.sink.rejected} events refused, last: ${s.sink.lastRejection ?? ''}\n`);
  if (s.sink.dropped > 0) out.write(`sink: ${s.sink.dropped} events dropped while the writer was overloaded\n`);
  out.write('\nfiles:\n');
  table(s.files.map((f) => ({ file: f.file, size: bytes(f.bytes) })));
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('the store: what it holds');
  db.command('stats')
    .description('events per kind with their time span, hosts, bytes on disk, writer and spool state, files')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const s = await runOp(cmd, 'db.stats', { server: false });
      if (o.json === true) json(s);
      else printStats(s);
    });

  program
    .command('backup <dir>')
    .description('a consistent copy of the store (state and events) into a new directory; works while serve runs')
    .option('--json', 'print the manifest as JSON')
    .action(async (dir: string, o: { json?: boolean }, cmd: Command) => {
      const m = await runOp(cmd, 'backup', { dir: resolve(dir) });
      if (o.json === true) return json(m);
      const events = Object.values(m.events).reduce((a, b) => a + b, 0);
      process.stdout.write(`backup written to ${resolve(dir)}: ${events.toLocaleString('en')} events, ${m.hosts.toLocaleString('en')} hosts, state and intelligence\n`);
    });

  program
    .command('restore <dir>')
    .description('put a backup back into the data directory (serve must be stopped; current files are moved aside, not deleted)')
    .action(async (dir: string, _o: unknown, cmd: Command) => {
      const config = configFrom(cmd);
      const running = await callControl(config.dataDir, 'ping', {}, 5000).catch(() => ({ running: true }));
      if (running.running) throw new MinewardenError('MW_ERR_CONFLICT', `a Minewarden server is running on ${config.dataDir}; stop it before restoring`);
      const r = await restoreStore(config, resolve(dir));
      const events = Object.values(r.manifest.events).reduce((a, b) => a + b, 0);
      process.stdout.write(`restored ${resolve(dir)} (made ${new Date(r.manifest.createdAt).toISOString()}): ${events.toLocaleString('en')} events, ${r.manifest.hosts.toLocaleString('en')} hosts\n`);
      if (r.movedTo !== null) process.stdout.write(`the previous database files are in ${r.movedTo}\n`);
    });
}
