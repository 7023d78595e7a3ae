/**
 * Zeek conn.log TSV → FlowEvents: parse + map + record into a counting EventOutput.
 * Target (the sensor issue): ≥ 300,000 events/s per core. Run: node --import tsx bench/zeek.ts [lines]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { MinewardenEvent } from '../src/model/events.ts';
import { ZeekLineReader } from '../src/sensors/zeek/index.ts';
import { readLines } from '../src/sensors/files/index.ts';
import { SensorHealth, type EventOutput } from '../src/sensors/types.ts';

const LINES = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'bench-zeek-'));
const file = join(dir, 'conn.log');

const HEADER = [
  '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', '#open\t2024-01-01-00-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tip_proto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\tcount',
].join('\n');

async function generate(): Promise<void> {
  const w = createWriteStream(file);
  w.write(`${HEADER}\n`);
  let buf = '';
  for (let i = 0; i < LINES; i++) {
    const ts = (1704067200 + i / 1000).toFixed(6);
    const tcp = i % 4 !== 0;
    buf += `${ts}\tC${i.toString(36)}xQz9\t10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\t${1024 + (i % 60000)}\t${93 + (i % 100)}.184.216.${i % 250}\t${tcp ? 443 : 53}\t${tcp ? 'tcp' : 'udp'}\t${tcp ? 'ssl' : 'dns'}\t${(i % 1000) / 100}\t${i % 5000}\t${i % 90000}\t${tcp ? 'SF' : 'S0'}\tT\tF\t0\tShADadFf\t${i % 50}\t${i % 7000}\t${i % 80}\t${i % 95000}\t-\t${tcp ? 6 : 17}\n`;
    if (buf.length > 1 << 20) {
      if (!w.write(buf)) await once(w, 'drain');
      buf = '';
    }
  }
  w.end(`${buf}#close\t2024-01-01-01-00-00\n`);
  await once(w, 'finish');
}

class Counting implements EventOutput {
  n = 0;
  bytes = 0;
  record(ev: MinewardenEvent): boolean {
    this.n++;
    if (ev.kind === 'flow') this.bytes += ev.bytesOut;
    return true;
  }
  noteHostName(): void {}
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

async function run(label: string, inMemory: string[] | null): Promise<void> {
  const out = new Counting();
  const health = new SensorHealth('bench', 'zeek');
  const reader = new ZeekLineReader(out, health, { sensor: 'zeek:bench' });
  const t0 = process.hrtime.bigint();
  if (inMemory === null) {
    for await (const chunk of readLines(file)) if (!reader.feed(chunk)) await out.drained();
  } else {
    for (let i = 0; i < inMemory.length; i += 5000) reader.feed({ file, line: i + 1, lines: inMemory.slice(i, i + 5000), start: i === 0 });
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(34)} ${out.n.toLocaleString('en')} events in ${s.toFixed(2)} s = ${Math.round(out.n / s).toLocaleString('en')} events/s (errors ${health.errors})`);
}

await generate();
const size = statSync(file).size;
console.log(`conn.log: ${LINES.toLocaleString('en')} lines, ${(size / 1e6).toFixed(0)} MB (node ${process.version})`);
await run('file → readLines → parse+map', null);
await run('file → readLines → parse+map (2nd)', null);
const { readFileSync } = await import('node:fs');
const lines = readFileSync(file, 'utf8').split('\n');
await run('in memory: parse+map only', lines);
rmSync(dir, { recursive: true, force: true });
