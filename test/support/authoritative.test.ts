// The test authoritative server (NSD on a free port of 127.0.0.1), checked with the real dig.
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIG_TXT, NO_NSD_REASON, TEST_ZONE, hasNsd, startAuthoritative, type Authoritative } from './authoritative.ts';

const hasDig = spawnSync('dig', ['-v'], { encoding: 'utf8' }).status === 0;
const ready = hasNsd() && hasDig;
const reason = !hasNsd() ? NO_NSD_REASON : 'dig is not installed (run scripts/install-test-deps.sh)';

interface Dig {
  exit: number;
  status: string | undefined;
  flags: string[];
  answer: string[];
  authority: string[];
  raw: string;
}

/** dig @127.0.0.1 -p port, never recursing, one try of 2 s; splits out header and sections. */
function dig(port: number, name: string, type: string, ...extra: string[]): Dig {
  const r = spawnSync(
    'dig',
    ['@127.0.0.1', '-p', String(port), name, type, '+norecurse', '+time=2', '+tries=1', '+nocookie', ...extra],
    { encoding: 'utf8', timeout: 10_000 },
  );
  const raw = r.stdout ?? '';
  const status = /status: ([A-Z]+)/.exec(raw)?.[1];
  const flags = (/;; flags: ([a-z ]*);/.exec(raw)?.[1] ?? '').split(' ').filter(Boolean);
  const section = (title: string): string[] => {
    const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(raw);
    return (m?.[1] ?? '').split('\n').filter((l) => l.length > 0).map((l) => l.split(/\s+/).join(' '));
  };
  return { exit: r.status ?? -1, status, flags, answer: section('ANSWER'), authority: section('AUTHORITY'), raw };
}

describe.skipIf(!ready)(`test authoritative server${ready ? '' : ` (skipped: ${reason})`}`, () => {
  let auth: Authoritative;
  beforeAll(async () => {
    auth = await startAuthoritative(TEST_ZONE);
  });
  afterAll(async () => {
    await auth?.stop();
  });

  it('listens on a high port of 127.0.0.1', () => {
    expect(auth.address).toBe('127.0.0.1');
    expect(auth.port).toBeGreaterThan(1023);
    expect(auth.port).not.toBe(53);
  });

  it('answers A authoritatively', () => {
    const d = dig(auth.port, 'www.example.test', 'A');
    expect(d.status, d.raw).toBe('NOERROR');
    expect(d.flags).toContain('aa');
    expect(d.flags).not.toContain('tc');
    expect(d.answer).toEqual(['www.example.test. 300 IN A 192.0.2.10']);
  });

  it('answers AAAA', () => {
    const d = dig(auth.port, 'v6.example.test', 'AAAA');
    expect(d.answer).toEqual(['v6.example.test. 300 IN AAAA 2001:db8::10']);
  });

  it('gives NXDOMAIN with the zone SOA in authority (negative caching)', () => {
    const d = dig(auth.port, 'nope.example.test', 'A');
    expect(d.status, d.raw).toBe('NXDOMAIN');
    expect(d.flags).toContain('aa');
    expect(d.answer).toEqual([]);
    expect(d.authority).toEqual(['example.test. 60 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60']);
  });

  it('follows an in-zone CNAME', () => {
    const d = dig(auth.port, 'alias.example.test', 'A');
    expect(d.status, d.raw).toBe('NOERROR');
    expect(d.answer).toEqual(['alias.example.test. 300 IN CNAME www.example.test.', 'www.example.test. 300 IN A 192.0.2.10']);
  });

  it('serves the mining-pool zone', () => {
    const d = dig(auth.port, 'eu.pool.test', 'A');
    expect(d.status, d.raw).toBe('NOERROR');
    expect(d.flags).toContain('aa');
    expect(d.answer).toEqual(['eu.pool.test. 300 IN CNAME xmr.pool.test.', 'xmr.pool.test. 300 IN A 198.51.100.7']);
  });

  it('expands the wildcard and answers NODATA for the empty non-terminal', () => {
    const w = dig(auth.port, 'anything.wild.example.test', 'A');
    expect(w.answer).toEqual(['anything.wild.example.test. 300 IN A 192.0.2.50']);
    const ent = dig(auth.port, 'ent.example.test', 'A');
    expect(ent.status, ent.raw).toBe('NOERROR');
    expect(ent.answer).toEqual([]);
    expect(ent.authority[0]).toMatch(/^example\.test\. 60 IN SOA /);
  });

  it('truncates the big TXT over UDP and answers it in full over TCP', () => {
    const udp = dig(auth.port, 'big.example.test', 'TXT', '+ignore', '+notcp');
    expect(udp.status, udp.raw).toBe('NOERROR');
    expect(udp.flags).toContain('tc');
    const plain = dig(auth.port, 'big.example.test', 'TXT', '+ignore', '+notcp', '+noedns');
    expect(plain.flags).toContain('tc');

    const tcp = dig(auth.port, 'big.example.test', 'TXT', '+tcp');
    expect(tcp.status, tcp.raw).toBe('NOERROR');
    expect(tcp.flags).not.toContain('tc');
    expect(tcp.answer).toHaveLength(BIG_TXT.length);
    const texts = tcp.answer.map((l) => /TXT "(.*)"$/.exec(l)?.[1]).sort();
    expect(texts).toEqual([...BIG_TXT].sort());
    const size = /MSG SIZE {2}rcvd: (\d+)/.exec(tcp.raw)?.[1];
    expect(Number(size)).toBeGreaterThan(1232);
  });

  it('counts the queries it answered', async () => {
    const before = await auth.queries();
    dig(auth.port, 'www.example.test', 'A');
    dig(auth.port, 'xmr.pool.test', 'A', '+tcp');
    expect(await auth.queries()).toBe(before + 2);
  });
});

describe.skipIf(!ready)(`test authoritative server: stop${ready ? '' : ` (skipped: ${reason})`}`, () => {
  it('stops nsd, frees the port and removes its directory', async () => {
    const auth = await startAuthoritative(TEST_ZONE);
    const { port, pid, dir } = auth;
    expect(dig(port, 'xmr.pool.test', 'A').status).toBe('NOERROR');
    await auth.stop();
    await auth.stop(); // twice is fine

    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
    const udp = dig(port, 'xmr.pool.test', 'A', '+time=1');
    expect(udp.status).toBeUndefined();
    expect(udp.exit).not.toBe(0);
    const tcp = dig(port, 'xmr.pool.test', 'A', '+tcp', '+time=1');
    expect(tcp.status).toBeUndefined();
    expect(tcp.raw).toMatch(/connection refused|no servers could be reached/i);
    // The port can be bound again: nothing holds it.
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => sock.close(() => resolve()));
  });

  it('rejects a broken zone with nsd\'s own message', async () => {
    await expect(
      startAuthoritative([{ origin: 'broken.test', records: '@ SOA ns1 hostmaster 1 3600 600 86400 60\nwww A not-an-address' }], {
        readyTimeoutMs: 3000,
      }),
    ).rejects.toThrow(/could not read zone broken\.test[\s\S]*invalid IPv4 address 'not-an-address'/);
  });
});
