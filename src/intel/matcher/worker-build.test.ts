import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SnapshotWriter } from '../snapshot.ts';
import { IntelMatcherBuilder } from './matcher.ts';
import type { IntelMatcher } from './matcher.ts';
import type { MatcherEntryInput } from './types.ts';
import { buildInWorker } from './worker-build.ts';
import { NOW, dump, mixed } from './matcher.test-util.ts';

function encode(es: MatcherEntryInput[]): Uint8Array[] {
  const w = new SnapshotWriter();
  for (const e of es) w.add(e);
  return w.encode({ revision: 0, policy: '' });
}


function expectSame(a: IntelMatcher, b: IntelMatcher, es: MatcherEntryInput[]): void {
  expect(a.size).toBe(b.size);
  expect(a.duplicates).toBe(b.duplicates);
  expect(a.rejected).toBe(b.rejected);
  expect(a.countsByType()).toEqual(b.countsByType());
  expect(dump(a)).toEqual(dump(b));
  for (const e of es) {
    const v = e.value;
    switch (e.type) {
      case 'domain':
        expect(a.matchDomain(v, NOW)).toBe(b.matchDomain(v, NOW));
        expect(a.matchDomain(`www.${v.toUpperCase()}.`, NOW)).toBe(b.matchDomain(`www.${v.toUpperCase()}.`, NOW));
        break;
      case 'ip':
        expect(a.matchIp(v, NOW)).toBe(b.matchIp(v, NOW));
        break;
      case 'cidr': {
        const inside = v.includes(':') ? v.replace('::/48', '::7') : v.replace('.0/24', '.9');
        expect(a.matchIp(inside, NOW)).toBe(b.matchIp(inside, NOW));
        break;
      }
      case 'ip:port': {
        const at = v.lastIndexOf(':');
        const ip = v.slice(0, at).replace(/^\[|\]$/g, '');
        expect(a.matchIpPort(ip, Number(v.slice(at + 1)), NOW)).toBe(b.matchIpPort(ip, Number(v.slice(at + 1)), NOW));
        break;
      }
      case 'url':
        expect(a.matchUrl(v, NOW)).toBe(b.matchUrl(v, NOW));
        break;
      case 'md5':
      case 'sha1':
      case 'sha256':
        expect(a.matchHash(v.toUpperCase(), NOW)).toBe(b.matchHash(v.toUpperCase(), NOW));
    }
  }
}

describe('buildInWorker', () => {
  const es = mixed(30_000);
  const b = new IntelMatcherBuilder();
  for (const e of es) b.add(e);
  const built = b.build();

  it('builds in a worker the same matcher as build() on this thread, and takes the buffers', async () => {
    const encoded = encode(es);
    const fallbacks: Error[] = [];
    const m = await buildInWorker(encoded, { onFallback: (e) => fallbacks.push(e) });
    expect(fallbacks).toEqual([]);
    expect(encoded.every((u) => u.buffer.byteLength === 0)).toBe(true); // transferred, not copied
    expect(m.countsByType().url).toBeGreaterThan(0);
    expectSame(m, built, es);
  });

  it('builds an empty matcher from no entries', async () => {
    const m = await buildInWorker(encode([]));
    expect(m.size).toBe(0);
    expect(m.matchDomain('pool.example', NOW)).toBe(-1);
  });

  it('falls back to this thread when the worker cannot start', async () => {
    const fallbacks: Error[] = [];
    const m = await buildInWorker(encode(es), { workerUrl: pathToFileURL(join(tmpdir(), 'no-such-worker.mjs')), onFallback: (e) => fallbacks.push(e) });
    expect(fallbacks).toHaveLength(1);
    expectSame(m, built, es.slice(0, 3000));
  });

  it('falls back to this thread when the worker fails and gives the buffers back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-worker-'));
    const file = join(dir, 'failing.mjs');
    writeFileSync(
      file,
      `import { parentPort } from 'node:worker_threads';
       parentPort.once('message', (m) => { parentPort.postMessage({ kind: 'failed', message: 'boom', buffers: m.buffers }, m.buffers.map((b) => b.buffer)); parentPort.close(); });
       parentPort.postMessage({ kind: 'ready' });`,
    );
    const fallbacks: Error[] = [];
    const m = await buildInWorker(encode(es), { workerUrl: pathToFileURL(file), onFallback: (e) => fallbacks.push(e) });
    expect(fallbacks.map((e) => e.message)).toEqual(['matcher build worker: boom']);
    expectSame(m, built, es.slice(0, 3000));
  });

  it('rejects when the worker dies holding the buffers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-worker-'));
    const file = join(dir, 'dying.mjs');
    writeFileSync(file, `import { parentPort } from 'node:worker_threads';\nparentPort.once('message', () => process.exit(3));\nparentPort.postMessage({ kind: 'ready' });`);
    await expect(buildInWorker(encode(es), { workerUrl: pathToFileURL(file) })).rejects.toThrow(/exited with code 3/);
  });
});
