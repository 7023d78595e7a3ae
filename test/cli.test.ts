/**
 * The `minewarden` command as a user runs it: a real process, a real data directory, real feed files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ROOT, mw, mwAsync, startServe } from './support/cli.ts';

const TESTDATA = join(ROOT, '../shared/testdata/intel');
// tsx's loader by absolute path, since the commands run in their own working directories.

describe('minewarden CLI', () => {
  it('imports a real trail file, looks names up and explains why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    const imp = await mw(dir, ['intel', 'import', join(TESTDATA, 'maltrail/crypto_mining.txt')]);
    expect(imp.err).toBe('');
    expect(imp.code).toBe(0);
    expect(imp.out).toMatch(/source\s+import:crypto_mining\.txt \(maltrail\)/);
    const look = await mw(dir, ['intel', 'lookup', 'eu1.pool.supportxmr.com', 'en.wikipedia.org', 'not a name!']);
    expect(look.out).toMatch(/eu1\.pool\.supportxmr\.com: MATCH — .*supportxmr\.com.*mining-pool/);
    expect(look.out).toMatch(/en\.wikipedia\.org: UNKNOWN/);
    expect(look.out).toMatch(/not a name!: INVALID/);
    expect(look.code).toBe(1);
    const json = await mw(dir, ['intel', 'lookup', '--json', 'moneroocean.stream']);
    expect((JSON.parse(json.out) as unknown[])[0]).toMatchObject({ verdict: 'match', value: 'moneroocean.stream' });
    const stats = await mw(dir, ['intel', 'stats', '--json']);
    expect((JSON.parse(stats.out) as { bySource: Record<string, number> }).bySource['import:crypto_mining.txt']).toBeGreaterThan(1000);
  });

  it('manages the allowlist and the review list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    const feed = join(dir, 'list.txt');
    writeFileSync(feed, 'youtube.com\nbad-pool.example\n');
    const imp = await mw(dir, ['intel', 'import', feed, '--category', 'mining-pool']);
    expect(imp.out).toMatch(/held\s+1 for review/);
    expect((await mw(dir, ['intel', 'review', 'list'])).out).toMatch(/youtube\.com .*popular/);
    expect((await mw(dir, ['intel', 'lookup', 'youtube.com'])).out).toMatch(/HELD/);
    expect((await mw(dir, ['intel', 'review', 'release', 'youtube.com'])).out).toMatch(/released youtube\.com/);
    expect((await mw(dir, ['intel', 'lookup', 'm.youtube.com'])).out).toMatch(/MATCH/);
    expect((await mw(dir, ['intel', 'allow', 'add', 'bad-pool.example', '--comment', 'lab'])).out).toMatch(/allowed domain bad-pool\.example/);
    expect((await mw(dir, ['intel', 'lookup', 'x.bad-pool.example'])).out).toMatch(/ALLOWLISTED/);
    expect((await mw(dir, ['intel', 'allow'])).out).toMatch(/bad-pool\.example\s+lab/);
  });

  it('exports the active set as an RPZ zone, hosts and STIX', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    const feed = join(dir, 'pools.txt');
    writeFileSync(feed, 'pool.bad-miner.example\n91.121.0.0/16\n');
    await mw(dir, ['intel', 'import', feed, '--category', 'mining-pool', '--confidence', '90']);
    const rpz = join(dir, 'out.rpz');
    expect((await mw(dir, ['intel', 'export', '--format', 'rpz', '-o', rpz])).code).toBe(0);
    const zone = readFileSync(rpz, 'utf8');
    expect(zone).toMatch(/^pool\.bad-miner\.example\s.*CNAME \.(\s|$)/m);
    expect(zone).toMatch(/^16\.0\.0\.121\.91\.rpz-ip\s.*CNAME \.(\s|$)/m);
    const check = spawnSync('named-checkzone', ['rpz.minewarden', rpz], { encoding: 'utf8' });
    if (check.error === undefined) expect(check.stdout).toMatch(/OK/);
    const hosts = await mw(dir, ['intel', 'export', '--format', 'hosts']);
    expect(hosts.out).toMatch(/^0\.0\.0\.0 pool\.bad-miner\.example$/m);
    const stix = JSON.parse((await mw(dir, ['intel', 'export', '--format', 'stix'])).out) as { objects: Array<{ pattern?: string }> };
    expect(stix.objects.some((o) => o.pattern === "[domain-name:value = 'pool.bad-miner.example']")).toBe(true);
  });

  it('imports a feed from a URL (a real HTTP server on loopback) and says why a dead URL failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    const server = createServer((req, res) => {
      if (req.url === '/miners.txt') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('# miners\nxmr.url-pool.example\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const ok = await mwAsync(dir, ['intel', 'import', `http://127.0.0.1:${port}/miners.txt`, '--category', 'mining-pool']);
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/source\s+import:miners\.txt \(plain\)/);
      expect(ok.out).toMatch(/stored\s+1 indicators/);
      const missing = await mwAsync(dir, ['intel', 'import', `http://127.0.0.1:${port}/gone.txt`]);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/HTTP 404/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect((await mw(dir, ['intel', 'lookup', 'a.xmr.url-pool.example'])).out).toMatch(/MATCH/);
  });

  it('stops on a bad config key, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cli-'));
    writeFileSync(join(dir, 'minewarden.yaml'), 'intel:\n  seeds: true\n');
    const r = await mw(dir, ['intel', 'stats']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown key "intel\.seeds"/);
    const e = await mw(dir, ['intel', 'stats'], { MINEWARDEN_LOG__LEVLE: 'debug' });
    expect(e.err).toMatch(/MINEWARDEN_LOG__LEVLE/);
  });

  it('serve starts on embedded defaults, loads the seed, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-serve-'));
    const { child, log } = await startServe(dir);
    expect(log()).toMatch(/indicators=\d+/);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The store persisted the seed in the data directory it created.
    const stats = await mw(join(dir, 'data'), ['intel', 'stats', '--json'], {});
    expect(stats.code).toBe(0);
  });
});
