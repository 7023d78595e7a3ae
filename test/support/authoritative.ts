/**
 * A real authoritative DNS server for tests: NSD (Debian package `nsd`, installed by
 * scripts/install-test-deps.sh), run in the foreground as a child process this helper owns, on a
 * free high port of 127.0.0.1, with its zone files, config, pidfile and control socket in a fresh
 * temporary directory. Nothing of the system's nsd service is used.
 *
 *   const auth = await startAuthoritative(TEST_ZONE);
 *   // dig @127.0.0.1 -p auth.port www.example.test
 *   await auth.stop();
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { stopChild } from './cli.ts';
import { QTYPE, probe } from './dns-probe.ts';

const execFileAsync = promisify(execFile);

export interface ZoneSpec {
  /** The zone's name, e.g. 'example.test' (a trailing dot is allowed). */
  origin: string;
  /** Zone-file text, relative to the origin ($ORIGIN and $TTL are written before it). */
  records: string;
}

export interface AuthoritativeOptions {
  /** Default TTL of the zone files ($TTL). 300 unless told. */
  ttl?: number;
  /** How long to wait for the server to answer before giving up. 10 s unless told. */
  readyTimeoutMs?: number;
  /** NSD's verbosity (0-2). 1 unless told. */
  verbosity?: number;
  /** How many ports to try when another process takes the chosen one first. 5 unless told. */
  attempts?: number;
}

export interface Authoritative {
  port: number;
  address: '127.0.0.1';
  /** The nsd process's id. */
  pid: number;
  /** The temporary directory with the zone files, nsd.conf and nsd.log. */
  dir: string;
  /** Stops nsd (SIGTERM, SIGKILL after 5 s) and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Queries nsd has answered so far (`nsd-control stats_noreset`: num.queries, UDP and TCP). */
  queries(): Promise<number>;
}

/** Where `name` is: on PATH, or in the sbin folders a non-root PATH may leave out. */
function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Whether NSD is installed here (scripts/install-test-deps.sh installs it). */
export function hasNsd(): boolean {
  return findBinary('nsd') !== undefined && findBinary('nsd-control') !== undefined;
}

/** Why tests that need NSD are skipped, for their titles. */
export const NO_NSD_REASON = 'nsd is not installed (run scripts/install-test-deps.sh)';

// ---------------------------------------------------------------------------------------------
// The zones the DNS gateway's tests use.

const BIG_TXT_RECORDS = 8;
const BIG_TXT_CHUNK = 200;

/** The strings of example.test's `big` TXT RRset: 8 × 200 bytes, far past 512 and 1232 bytes. */
export const BIG_TXT: readonly string[] = Array.from({ length: BIG_TXT_RECORDS }, (_, i) =>
  `chunk-${i}-`.padEnd(BIG_TXT_CHUNK, String.fromCharCode(97 + i)),
);

/**
 * example.test: an A, an AAAA, a CNAME to an in-zone name and one to an out-of-zone name, a TXT
 * RRset too big for UDP, a wildcard (*.wild), an empty non-terminal (ent, above deep.ent), an MX
 * and the apex SOA whose minimum (60) is the negative-caching TTL.
 */
export const EXAMPLE_ZONE: ZoneSpec = {
  origin: 'example.test',
  records: [
    '@        SOA   ns1 hostmaster 1 3600 600 86400 60',
    '@        NS    ns1',
    '@        A     192.0.2.1',
    '@        MX    10 mail',
    'ns1      A     192.0.2.1',
    'mail     A     192.0.2.25',
    'www      A     192.0.2.10',
    'www      AAAA  2001:db8::10',
    'v6       AAAA  2001:db8::10',
    'alias    CNAME www',
    'chain    CNAME alias',
    'outside  CNAME xmr.pool.test.',
    'short    60 A  192.0.2.11',
    '*.wild   A     192.0.2.50',
    'deep.ent A     192.0.2.60',
    ...BIG_TXT.map((s) => `big      TXT   "${s}"`),
    'small    TXT   "v=minewarden1"',
  ].join('\n'),
};

/** pool.test: mining-pool-like names. */
export const POOL_ZONE: ZoneSpec = {
  origin: 'pool.test',
  records: [
    '@        SOA   ns1 hostmaster 2024010101 3600 600 86400 30',
    '@        NS    ns1',
    'ns1      A     198.51.100.1',
    'xmr      A     198.51.100.7',
    'xmr      AAAA  2001:db8:100::7',
    'eu       CNAME xmr',
    'us       CNAME xmr',
    'stratum  A     198.51.100.8',
    '*.worker A     198.51.100.9',
  ].join('\n'),
};

/** Both test zones, as startAuthoritative takes them. */
export const TEST_ZONE: readonly ZoneSpec[] = [EXAMPLE_ZONE, POOL_ZONE];

// ---------------------------------------------------------------------------------------------

/** A port free on 127.0.0.1 for both UDP and TCP at the time of asking. */
async function freePort(): Promise<number> {
  const udp = createSocket('udp4');
  const port = await new Promise<number>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
  });
  try {
    const tcp = createServer();
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  } finally {
    await new Promise<void>((resolve) => udp.close(() => resolve()));
  }
  return port;
}

function zoneName(origin: string): string {
  const name = origin.replace(/\.$/, '').toLowerCase();
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name)) throw new Error(`bad zone origin: ${origin}`);
  return name;
}

function config(dir: string, port: number, zones: readonly string[], verbosity: number): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  do-ip4: yes',
    '  do-ip6: no',
    '  username: ""', // no privilege drop: runs as whoever runs the tests
    '  chroot: ""',
    `  zonesdir: ${q(dir)}`,
    '  database: ""', // no nsd.db: zones are read from the zone files
    `  zonelistfile: ${q(join(dir, 'zone.list'))}`,
    `  xfrdfile: ${q(join(dir, 'xfrd.state'))}`,
    `  xfrdir: ${q(dir)}`,
    `  pidfile: ${q(join(dir, 'nsd.pid'))}`,
    `  logfile: ${q(join(dir, 'nsd.log'))}`,
    `  verbosity: ${verbosity}`,
    '  server-count: 1',
    '  reuseport: no',
    '  hide-version: yes',
    '  identity: "minewarden-test"',
    '  refuse-any: no',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: ${q(join(dir, 'control.sock'))}`,
  ];
  for (const z of zones) lines.push('zone:', `  name: ${q(z)}`, `  zonefile: ${q(`${z}.zone`)}`);
  return lines.join('\n') + '\n';
}

/** Processes still running, killed if the test process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) if (c.pid !== undefined) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    });
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'nsd.log'), 'utf8');
  } catch {
    return '';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Attempt { ok: true; server: Authoritative }
interface Failure { ok: false; portTaken: boolean; message: string }

async function attempt(
  nsd: string,
  nsdControl: string,
  zones: readonly string[],
  ttl: number,
  opts: Required<Pick<AuthoritativeOptions, 'readyTimeoutMs' | 'verbosity'>>,
  specs: readonly ZoneSpec[],
): Promise<Attempt | Failure> {
  const dir = mkdtempSync(join(tmpdir(), 'minewarden-nsd-'));
  const sock = join(dir, 'control.sock');
  if (Buffer.byteLength(sock) > 100) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`startAuthoritative: temp path too long for nsd's control socket: ${sock}`);
  }
  specs.forEach((s, i) => {
    const name = zones[i] as string;
    writeFileSync(join(dir, `${name}.zone`), `$ORIGIN ${name}.\n$TTL ${ttl}\n${s.records}\n`);
  });
  const port = await freePort();
  const conf = join(dir, 'nsd.conf');
  writeFileSync(conf, config(dir, port, zones, opts.verbosity));

  const child = spawn(nsd, ['-c', conf, '-d'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { output += d; });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { output += d; });
  let spawnError: Error | undefined;
  child.once('error', (e) => { spawnError = e; });

  const fail = async (why: string): Promise<Failure> => {
    await stopChild(child);
    const log = readLog(dir);
    rmSync(dir, { recursive: true, force: true });
    const all = `${output}\n${log}`;
    return {
      ok: false,
      portTaken: /address already in use|can't bind/i.test(all),
      message: `${why}\n--- nsd output (port ${port}) ---\n${output.trim()}\n--- nsd.log ---\n${log.trim()}`,
    };
  };

  const deadline = Date.now() + opts.readyTimeoutMs;
  const ready = new Set<string>();
  while (ready.size < zones.length) {
    if (spawnError) return fail(`could not run ${nsd}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      return fail(`nsd exited (${child.exitCode ?? child.signalCode}) before it answered`);
    }
    if (Date.now() > deadline) return fail(`nsd did not answer SOA queries within ${opts.readyTimeoutMs} ms`);
    // nsd keeps running with a zone it could not read, and answers SERVFAIL for it: fail at once.
    const zoneError = /zone (\S+) file \S+ read with \d+ errors/.exec(readLog(dir));
    if (zoneError) return fail(`nsd could not read zone ${zoneError[1]}`);
    for (const z of zones) {
      if (ready.has(z)) continue;
      const a = await probe(port, z, QTYPE.SOA, 300);
      if (a && a.rcode === 0 && a.aa && a.ancount > 0) ready.add(z);
    }
    if (ready.size < zones.length) await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  const pid = child.pid as number;
  const server: Authoritative = {
    port,
    address: '127.0.0.1',
    pid,
    dir,
    stop() {
      stopped ??= (async () => {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
    async queries() {
      const { stdout } = await execFileAsync(nsdControl, ['-c', conf, 'stats_noreset'], { encoding: 'utf8' });
      const m = /^num\.queries=(\d+)$/m.exec(stdout);
      if (!m) throw new Error(`nsd-control stats_noreset: no num.queries in:\n${stdout}`);
      return Number(m[1]);
    },
  };
  return { ok: true, server };
}

/**
 * Starts NSD serving `zones` on 127.0.0.1 at a free high port, and resolves once it answers an
 * authoritative SOA query for every zone. Rejects with nsd's own output when it does not.
 */
export async function startAuthoritative(
  zones: readonly ZoneSpec[],
  opts: AuthoritativeOptions = {},
): Promise<Authoritative> {
  const nsd = findBinary('nsd');
  const nsdControl = findBinary('nsd-control');
  if (!nsd || !nsdControl) throw new Error(`startAuthoritative: ${NO_NSD_REASON}`);
  if (zones.length === 0) throw new Error('startAuthoritative: no zones');
  const names = zones.map((z) => zoneName(z.origin));
  if (new Set(names).size !== names.length) throw new Error(`startAuthoritative: a zone is given twice: ${names.join(', ')}`);
  const attempts = opts.attempts ?? 5;
  const settings = { readyTimeoutMs: opts.readyTimeoutMs ?? 10_000, verbosity: opts.verbosity ?? 1 };
  let last = '';
  for (let i = 0; i < attempts; i++) {
    const r = await attempt(nsd, nsdControl, names, opts.ttl ?? 300, settings, zones);
    if (r.ok) return r.server;
    last = r.message;
    if (!r.portTaken) break; // a broken zone or config will not get better on another port
  }
  throw new Error(`startAuthoritative: nsd did not start: ${last}`);
}
