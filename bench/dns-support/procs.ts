/**
 * Process plumbing for bench/dns.ts: children tracked and killed by pid, /proc figures (CPU time
 * of the whole process, every thread; RSS), a UDP readiness probe and the dnsperf runner.
 * Everything talks to 127.0.0.1 only.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { buildQuery, parseHeader } from '../../test/support/dns-probe.ts';
import { stopChild } from '../../test/support/cli.ts';

export { stopChild };

// ---- children ----------------------------------------------------------------------------------

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Every tracked child still running, stopped one by one by pid. */
export async function stopAll(): Promise<void> {
  for (const c of [...live]) await stopChild(c);
}

// ---- /proc -------------------------------------------------------------------------------------

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User and system CPU seconds of the process so far (all its threads), or of one of its threads. */
export function cpuTimes(pid: number, tid?: number): { user: number; sys: number } {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the comm: state is f[0], so utime (field 14) is f[11] and stime (15) f[12].
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK };
}

export function cpuSeconds(pid: number, tid?: number): number {
  const t = cpuTimes(pid, tid);
  return t.user + t.sys;
}

/** VmRSS and VmHWM (peak) in MB. */
export function memory(pid: number): { rssMb: number; peakMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

// ---- probe ---------------------------------------------------------------------------------------

/** One A query with RD set to 127.0.0.1:port; the rcode, or undefined when no answer came in time. */
export function query(port: number, name: string, timeoutMs: number): Promise<number | undefined> {
  const id = Math.floor(Math.random() * 0x10000);
  const msg = buildQuery(id, name, 1);
  msg.writeUInt16BE(0x0100, 2); // RD
  const sock = createSocket('udp4');
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: number | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(v);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('message', (m) => {
      const h = parseHeader(id, m);
      if (h !== undefined) finish(h.rcode);
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

/**
 * Milliseconds from `since` until the server answers `name` with `rcode`: probes every 20 ms
 * with a 100 ms timeout each (a server that queues queries while it loads answers a late probe
 * late, which is when it is ready). Throws when `child` dies or the deadline passes.
 */
export async function waitAnswer(child: ChildProcess, port: number, name: string, rcode: number, since: number, deadlineMs: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it answered`);
    if (performance.now() - since > deadlineMs) throw new Error(`server did not answer ${name} with rcode ${rcode} within ${deadlineMs} ms`);
    const r = await query(port, name, 100);
    if (r === rcode) return performance.now() - since;
    await new Promise((res) => setTimeout(res, 20));
  }
}

// ---- dnsperf -------------------------------------------------------------------------------------

export interface PerfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgMs: number;
  /** From the per-query latencies of `-v` (when asked). */
  percentiles?: { p50: number; p90: number; p99: number; p999: number; max: number; n: number };
  rcodes: string;
  /** CPU seconds the server spent during the run (/proc utime + stime, before and after). */
  serverCpu: number;
  /** The part of it on the server's main thread (the thread whose id is the pid). */
  serverMainCpu: number;
  /** The part of it in the kernel (stime). */
  serverSysCpu: number;
  wallS: number;
}

export interface PerfOptions {
  port: number;
  file: string;
  seconds?: number;
  /** Run through the file this many times at most (-n). */
  passes?: number;
  qps?: number;
  clients?: number;
  threads?: number;
  outstanding?: number;
  verbose?: boolean;
  serverPid: number;
  /** Where dnsperf's stdout goes while it runs (read afterwards: parsing -v lines live would take a core from the servers). */
  outFile: string;
}

function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m === null ? NaN : Number(m[1]);
}

const q = (xs: Float64Array, p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

export async function dnsperf(o: PerfOptions): Promise<PerfResult> {
  const args = ['-s', '127.0.0.1', '-p', String(o.port), '-d', o.file, '-c', String(o.clients ?? 4), '-T', String(o.threads ?? 2), '-q', String(o.outstanding ?? 200), '-t', '2'];
  if (o.seconds !== undefined) args.push('-l', String(o.seconds));
  if (o.passes !== undefined) args.push('-n', String(o.passes));
  if (o.qps !== undefined) args.push('-Q', String(Math.round(o.qps)));
  if (o.verbose === true) args.push('-v');
  const cpu0 = cpuSeconds(o.serverPid);
  const sys0 = cpuTimes(o.serverPid).sys;
  const main0 = cpuSeconds(o.serverPid, o.serverPid);
  const t0 = performance.now();
  const fd = openSync(o.outFile, 'w');
  let child: ChildProcess;
  try {
    child = track(spawn('dnsperf', args, { stdio: ['ignore', fd, 'pipe'] }));
  } finally {
    closeSync(fd);
  }
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const wallS = (performance.now() - t0) / 1000;
  const serverCpu = cpuSeconds(o.serverPid) - cpu0;
  const serverSysCpu = cpuTimes(o.serverPid).sys - sys0;
  const serverMainCpu = cpuSeconds(o.serverPid, o.serverPid) - main0;
  const lat: number[] = [];
  let text = '';
  for (const line of readFileSync(o.outFile, 'utf8').split('\n')) {
    // -v: "> NOERROR name A 0.000123" per answer (the latency in seconds last).
    if (line.startsWith('> ')) {
      const v = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(v)) lat.push(v * 1000);
    } else if (!line.startsWith('[Timeout]')) text += `${line}\n`;
  }
  rmSync(o.outFile, { force: true });
  if (code !== 0) throw new Error(`dnsperf ${args.join(' ')} exited ${code}: ${stderr}\n${text}`);
  const res: PerfResult = {
    sent: num(text, /Queries sent:\s+(\d+)/),
    completed: num(text, /Queries completed:\s+(\d+)/),
    lost: num(text, /Queries lost:\s+(\d+)/),
    qps: num(text, /Queries per second:\s+([\d.]+)/),
    avgMs: num(text, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
    rcodes: (/Response codes:\s+(.*)/.exec(text)?.[1] ?? '').trim(),
    serverCpu,
    serverMainCpu,
    serverSysCpu,
    wallS,
  };
  if (lat.length > 0) {
    const xs = Float64Array.from(lat).sort();
    res.percentiles = { p50: q(xs, 0.5), p90: q(xs, 0.9), p99: q(xs, 0.99), p999: q(xs, 0.999), max: xs[xs.length - 1]!, n: xs.length };
  }
  return res;
}
