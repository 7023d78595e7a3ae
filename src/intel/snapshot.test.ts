import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.ts';
import { decayPolicy } from './decay.ts';
import { IntelEngine } from './engine.ts';
import { SnapshotWriter, readSnapshot } from './snapshot.ts';
import { openStore, type IntelStore } from '../store/index.ts';

function engine(store: IntelStore, snapshotPath: string, threshold = 20): { engine: IntelEngine; scans: () => number } {
  let scans = 0;
  const counting: IntelStore = Object.create(store) as IntelStore;
  counting.scanMatchable = (now, batch) => {
    scans++;
    return store.scanMatchable(now, batch);
  };
  const e = new IntelEngine({ store: counting, log: silentLogger(), decay: decayPolicy({ threshold, speed: 0.3, lifetimes: {} }), guard: null, snapshotPath });
  return { engine: e, scans: () => scans };
}

describe('matcher snapshot', () => {
  it('round-trips entries with every field', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mw-snap-')), 'm.snap');
    const w = new SnapshotWriter();
    w.add({ type: 'domain', value: 'pool.example', category: 'mining-pool', family: 'monero', source: 's1', confidence: 90, expiresAt: 0, ref: 0 });
    w.add({ type: 'ip:port', value: '[2001:db8::1]:3333', category: 'mining-pool', family: '', source: 's2', confidence: 55, expiresAt: 1.5e9, ref: 1 });
    await w.write(path, { revision: 7, policy: 'p' });
    const snap = await readSnapshot(path, { revision: 7, policy: 'p' });
    expect(snap?.count).toBe(2);
    expect([...(snap?.batches ?? [])].flat()).toEqual([
      { type: 'domain', value: 'pool.example', category: 'mining-pool', family: 'monero', source: 's1', confidence: 90, expiresAt: 0, ref: 0 },
      { type: 'ip:port', value: '[2001:db8::1]:3333', category: 'mining-pool', family: '', source: 's2', confidence: 55, expiresAt: 1.5e9, ref: 1 },
    ]);
    expect(await readSnapshot(path, { revision: 8, policy: 'p' })).toBeNull();
    expect(await readSnapshot(path, { revision: 7, policy: 'other' })).toBeNull();
  });

  it('lets a restart skip the store scan, and falls back when stale or corrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-snap-'));
    const path = join(dir, 'matcher.snapshot');
    const store = await openStore({ dataDir: dir, store: { kind: 'embedded', memoryLimit: '256MB' } });
    const a = engine(store.intel, path);
    await a.engine.start({ seed: false });
    await a.engine.importText({ text: 'snap-pool.example\n185.71.66.20:14444\n', source: 'f', format: 'plain' });
    expect(a.scans()).toBeGreaterThan(0);

    const b = engine(store.intel, path);
    await b.engine.start({ seed: false });
    expect(b.scans()).toBe(0);
    expect(b.engine.matchDomain('x.snap-pool.example', b.engine.now())).toBeGreaterThanOrEqual(0);
    expect(b.engine.matcher.matchIpPort('185.71.66.20', 14444, b.engine.now())).toBeGreaterThanOrEqual(0);

    // Another decay policy: expiry times differ, so the snapshot is not used.
    const c = engine(store.intel, path, 30);
    await c.engine.start({ seed: false });
    expect(c.scans()).toBe(1);

    // A change in the store makes it stale.
    await store.intel.replaceSource('g', [], 0);
    await store.intel.deleteSource('f');
    const d = engine(store.intel, path, 30);
    await d.engine.start({ seed: false });
    expect(d.scans()).toBe(1);
    expect(d.engine.matchDomain('snap-pool.example', d.engine.now())).toBe(-1);

    // A damaged file is ignored.
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 3));
    const e = engine(store.intel, path, 30);
    await e.engine.start({ seed: false });
    expect(e.scans()).toBe(1);
    await store.close();
  });
});
