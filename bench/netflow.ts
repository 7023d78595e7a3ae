/**
 * NetFlow v9 / IPFIX decode + join rate on one core. A packet stream is built in memory (no
 * sockets): 30 IPv4 records per packet (a typical 1,400-byte export), half of them replies to the
 * other half so the joiner does real work; the template is announced once at the start. Prints
 * records per CPU-second for decode alone and decode + join, per format (best round after a warm-up;
 * the machine may be shared, so compare figures from one run).
 *
 *   node --import tsx bench/netflow.ts [--packets N] [--rounds R]
 */
import { decodeNetflow, FlowJoiner, TemplateCache } from '../src/sensors/netflow/index.ts';
import { dataSet, ipfixMessage, ipfixTemplateSet, v4Flow, V4_FLOW, v9Packet, v9TemplateSet } from '../src/sensors/netflow/packets.test-util.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const PACKETS = arg('packets', 20_000);
const ROUNDS = arg('rounds', 5);
const PER_PACKET = 30;
const T0 = 1_800_000_000_000;

function stream(format: 'v9' | 'ipfix'): Uint8Array[] {
  const out: Uint8Array[] = [];
  const tmpl = format === 'v9' ? v9TemplateSet([[256, V4_FLOW]]) : ipfixTemplateSet([[256, V4_FLOW]]);
  for (let p = 0; p < PACKETS; p++) {
    const recs: Uint8Array[] = [];
    for (let r = 0; r < PER_PACKET / 2; r++) {
      const n = p * PER_PACKET + r;
      const client = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const port = 1024 + (n % 60000);
      recs.push(v4Flow(client, port, '185.71.66.20', 3333, 6, 0x1b, 1500 + r, 12, T0, T0 + 900));
      recs.push(v4Flow('185.71.66.20', 3333, client, port, 6, 0x1a, 600 + r, 9, T0 + 1, T0 + 900));
    }
    const sets = p === 0 ? [tmpl, dataSet(256, recs)] : [dataSet(256, recs)];
    out.push(format === 'v9' ? v9Packet(1, T0 / 1000, 1000, sets, p) : ipfixMessage(1, T0 / 1000, sets, p));
  }
  return out;
}

function run(packets: Uint8Array[], join: boolean): { recs: number; events: number; ms: number } {
  const cache = new TemplateCache();
  const joiner = new FlowJoiner();
  let recs = 0;
  let events = 0;
  // CPU time of this process, not wall time: the rate per core stays comparable on a shared, loaded machine.
  const t = process.cpuUsage();
  for (const p of packets) {
    const r = decodeNetflow(p, '192.0.2.1', cache, T0);
    recs += r.flows.length;
    if (r.errors.length) throw new Error(r.errors[0]);
    if (join) for (const f of r.flows) events += joiner.push(f, T0).length;
  }
  if (join) events += joiner.flush(T0, true).length;
  const d = process.cpuUsage(t);
  return { recs, events, ms: (d.user + d.system) / 1000 };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(`netflow bench: ${fmt(PACKETS)} packets × ${PER_PACKET} records, best of ${ROUNDS} rounds, node ${process.version}`);
for (const format of ['v9', 'ipfix'] as const) {
  const packets = stream(format);
  const bytes = packets.reduce((n, p) => n + p.length, 0);
  for (const join of [false, true]) {
    let best = Infinity;
    let last = run(packets, join); // warm-up: the JIT, not the decoder, dominates a first pass
    for (let i = 0; i < ROUNDS; i++) {
      last = run(packets, join);
      best = Math.min(best, last.ms);
    }
    const rps = (last.recs / best) * 1000;
    console.log(
      `${format.padEnd(5)} ${join ? 'decode+join' : 'decode     '}  ${fmt(rps).padStart(10)} records/cpu-s  ${fmt((PACKETS / best) * 1000).padStart(8)} packets/cpu-s  ${((bytes / best) * 1000 / 1e6).toFixed(0).padStart(4)} MB/cpu-s` +
        (join ? `  (${fmt(last.events)} events)` : ''),
    );
  }
}
