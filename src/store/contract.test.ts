/**
 * One contract suite for every store backend (only embedded DuckDB exists today; the
 * PostgreSQL + ClickHouse backend will be added to BACKENDS and must pass the same tests).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredIndicator } from '../model/indicator.ts';
import type { Unit } from '../model/org.ts';
import { openDuckDbStore } from './duckdb/index.ts';
import type { Store } from './types.ts';

const BACKENDS: Array<{ name: string; open: (dir: string) => Promise<Store> }> = [
  { name: 'duckdb', open: (dir) => openDuckDbStore({ dataDir: dir, memoryLimit: '256MB' }) },
];

function ind(value: string, extra: Partial<StoredIndicator> = {}): StoredIndicator {
  return {
    type: 'domain', value, category: 'mining-pool', family: 'monero', source: 's', confidence: 80,
    firstSeen: 0, lastSeen: 0, validUntil: 0, tags: ['a', 'b'], reference: '', status: 'active', holdReason: '', ...extra,
  };
}

/** Every field set, Chinese names, a contact with every detail and one with only a name. */
const UNITS: Unit[] = [
  { id: 'edu-centre', name: '市教育信息中心', parentId: null, kind: 'centre', cidrs: ['10.0.0.0/8', '2001:db8::/32'], site: '', egress: ['203.0.113.0/28'],
    contacts: [{ name: '王工', email: 'noc@edu.example.cn', phone: '+86 10 5555 0100', role: '网络管理员' }] },
  { id: 's-east-2', name: '东城实验小学, "东校区"', parentId: 'edu-centre', kind: 'school', cidrs: ['192.168.1.0/24'], site: 'east-2', egress: ['198.51.100.11'],
    contacts: [{ name: '李老师', email: 'li@e2.example.cn' }, { name: 'Zhang "IT" Wei', phone: '139 0000 0000' }] },
  { id: 'a-first-child', name: '无类别', parentId: 'edu-centre', cidrs: [], site: '', egress: [], contacts: [] },
];

async function collect(store: Store, now: number): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of store.intel.scanMatchable(now, 2)) out.push(...batch.map((b) => b.value));
  return out.sort();
}

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const fresh = async (dir = mkdtempSync(join(tmpdir(), 'mw-store-'))): Promise<{ store: Store; dir: string }> => {
      const store = await backend.open(dir);
      open.push(store);
      return { store, dir };
    };

    it('replaces a source and reports added, removed and held', async () => {
      const { store } = await fresh();
      const r1 = await store.intel.replaceSource('feed1', [ind('a.example'), ind('b.example'), ind('c.example', { status: 'held', holdReason: 'x' })], 1000);
      expect(r1).toEqual({ total: 3, added: 3, removed: 0, held: 1 });
      const r2 = await store.intel.replaceSource('feed1', [ind('b.example'), ind('d.example')], 2000);
      expect(r2).toEqual({ total: 2, added: 1, removed: 2, held: 0 });
      expect(await collect(store, 2000)).toEqual(['b.example', 'd.example']);
    });

    it('keeps firstSeen and lastSeen when an unchanged indicator is listed again, and takes a newer sighting', async () => {
      const { store } = await fresh();
      await store.intel.replaceSource('f', [ind('a.example'), ind('b.example', { lastSeen: 500 })], 1000);
      await store.intel.replaceSource('f', [ind('a.example'), ind('b.example', { lastSeen: 1500 })], 5000);
      const [a] = await store.intel.findByValue('domain', 'a.example');
      const [b] = await store.intel.findByValue('domain', 'b.example');
      expect(a).toMatchObject({ firstSeen: 1000, lastSeen: 1000, tags: ['a', 'b'] });
      expect(b).toMatchObject({ firstSeen: 1000, lastSeen: 1500 });
    });

    it('scans only matchable rows: not held, not past validUntil', async () => {
      const { store } = await fresh();
      await store.intel.replaceSource('f', [ind('live.example'), ind('old.example', { validUntil: 100 }), ind('held.example', { status: 'held', holdReason: 'popular' })], 50);
      expect(await collect(store, 200)).toEqual(['live.example']);
      expect(await store.intel.release('domain', 'held.example')).toBe(1);
      expect(await collect(store, 200)).toEqual(['held.example', 'live.example']);
      expect(await store.intel.releasedValues()).toEqual([{ type: 'domain', value: 'held.example' }]);
    });

    it('keeps sources apart and finds a value in every source', async () => {
      const { store } = await fresh();
      await store.intel.replaceSource('one', [ind('x.example', { confidence: 50 })], 1);
      await store.intel.replaceSource('two', [ind('x.example', { confidence: 90 })], 1);
      const found = await store.intel.findByValue('domain', 'x.example');
      expect(found.map((f) => [f.source, f.confidence])).toEqual([['two', 90], ['one', 50]]);
      expect(await store.intel.deleteSource('one')).toBe(1);
      expect((await store.intel.stats()).bySource).toEqual({ two: 1 });
    });

    it('pages and filters queries', async () => {
      const { store } = await fresh();
      await store.intel.replaceSource('f', ['a', 'b', 'c', 'd'].map((n) => ind(`${n}.example`)), 1);
      const page = await store.intel.query({ limit: 2, offset: 1 });
      expect(page.map((p) => p.value)).toEqual(['b.example', 'c.example']);
      expect((await store.intel.query({ contains: 'd.ex' })).map((p) => p.value)).toEqual(['d.example']);
    });

    it('persists indicators, feed status and the allowlist across a restart', async () => {
      const { store, dir } = await fresh();
      await store.intel.replaceSource('f', [ind('keep.example')], 1);
      await store.intel.putFeedStatus({ name: 'f', source: '/x', format: 'plain', entries: 1, rejectedLines: 2, heldForReview: 0, lastAttempt: 5, lastSuccess: 5, lastError: '', etag: '"e"', lastModified: '' });
      await store.intel.addAllow({ type: 'domain', value: 'good.example', comment: 'ours', addedAt: 9 });
      await store.close();
      open.pop();
      const { store: again } = await fresh(dir);
      expect(await collect(again, 10)).toEqual(['keep.example']);
      expect(await again.intel.getFeedStatus('f')).toMatchObject({ entries: 1, rejectedLines: 2, etag: '"e"' });
      expect(await again.intel.listAllow()).toEqual([{ type: 'domain', value: 'good.example', comment: 'ours', addedAt: 9 }]);
      expect(await again.intel.removeAllow('domain', 'good.example')).toBe(true);
      expect(await again.intel.removeAllow('domain', 'good.example')).toBe(false);
    });

    it('bumps the revision on every change of the matchable set, and only then', async () => {
      const { store } = await fresh();
      const r0 = await store.intel.revision();
      await store.intel.replaceSource('f', [ind('a.example'), ind('h.example', { status: 'held', holdReason: 'x' })], 1);
      const r1 = await store.intel.revision();
      expect(r1).toBeGreaterThan(r0);
      await store.intel.putFeedStatus({ name: 'f', source: '', format: 'plain', entries: 1, rejectedLines: 0, heldForReview: 0, lastAttempt: 1, lastSuccess: 1, lastError: '', etag: '', lastModified: '' });
      expect(await store.intel.revision()).toBe(r1);
      await store.intel.release('domain', 'h.example');
      const r2 = await store.intel.revision();
      expect(r2).toBeGreaterThan(r1);
      await store.intel.deleteSource('nothing-here');
      expect(await store.intel.revision()).toBe(r2);
      await store.intel.deleteSource('f');
      expect(await store.intel.revision()).toBeGreaterThan(r2);
    });

    it('rolls back a failed replace and keeps the previous set', async () => {
      const { store } = await fresh();
      await store.intel.replaceSource('f', [ind('a.example')], 1);
      function* broken(): Generator<StoredIndicator> {
        yield ind('b.example');
        throw new Error('feed stream broke');
      }
      await expect(store.intel.replaceSource('f', broken(), 2)).rejects.toThrow('feed stream broke');
      expect(await collect(store, 3)).toEqual(['a.example']);
    });

    it('round-trips every unit field, in the order given', async () => {
      const { store } = await fresh();
      expect(await store.org.listUnits()).toEqual([]);
      await store.org.replaceUnits(UNITS);
      expect(await store.org.listUnits()).toEqual(UNITS);
      const [, , plain] = await store.org.listUnits();
      expect(plain).not.toHaveProperty('kind');
    });

    it('replaces the whole set, and a failing replace changes nothing', async () => {
      const { store } = await fresh();
      await store.org.replaceUnits(UNITS);
      const r1 = await store.org.revision();
      const clash = [UNITS[0] as Unit, { ...(UNITS[1] as Unit), id: 'edu-centre' }];
      await expect(store.org.replaceUnits(clash)).rejects.toThrow();
      expect(await store.org.listUnits()).toEqual(UNITS);
      expect(await store.org.revision()).toBe(r1);
      await store.org.replaceUnits(UNITS.slice(0, 1));
      expect((await store.org.listUnits()).map((u) => u.id)).toEqual(['edu-centre']);
      await store.org.replaceUnits([]);
      expect(await store.org.listUnits()).toEqual([]);
    });

    it('keeps the units across a restart', async () => {
      const { store, dir } = await fresh();
      await store.org.replaceUnits(UNITS);
      const rev = await store.org.revision();
      await store.close();
      open.pop();
      const { store: again } = await fresh(dir);
      expect(await again.org.listUnits()).toEqual(UNITS);
      expect(await again.org.revision()).toBe(rev);
    });

    it('bumps the org revision when the units change, and only then', async () => {
      const { store } = await fresh();
      const r0 = await store.org.revision();
      await store.org.replaceUnits(UNITS);
      const r1 = await store.org.revision();
      expect(r1).toBeGreaterThan(r0);
      await store.org.replaceUnits(UNITS.map((u) => ({ ...u })));
      expect(await store.org.revision()).toBe(r1);
      await store.org.replaceUnits(UNITS.map((u) => (u.id === 's-east-2' ? { ...u, contacts: [{ name: '李老师' }] } : u)));
      const r2 = await store.org.revision();
      expect(r2).toBeGreaterThan(r1);
      await store.intel.replaceSource('f', [ind('a.example')], 1);
      expect(await store.org.revision()).toBe(r2);
    });
  });
}
