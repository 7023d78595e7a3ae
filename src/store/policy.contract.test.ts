/**
 * One contract suite for the PolicyStore, run against every backend (embedded DuckDB today; the
 * PostgreSQL backend joins BACKENDS and must pass the same tests).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayStatus, PolicyDocument } from '../model/policy.ts';
import { openMemoryStore } from './index.ts';
import type { Store } from './types.ts';

const BACKENDS: Array<{ name: string; open: () => Promise<Store> }> = [{ name: 'duckdb', open: openMemoryStore }];

const T0 = Date.UTC(2024, 4, 1);
const doc = (extra: Partial<PolicyDocument> = {}): PolicyDocument => ({ categories: {}, allow: [], deny: [], ...extra });

for (const backend of BACKENDS) {
  describe(`policy store contract: ${backend.name}`, () => {
    const open: Store[] = [];
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });
    const fresh = async (): Promise<Store> => {
      const s = await backend.open();
      open.push(s);
      return s;
    };

    it('numbers versions per scope and round-trips every field', async () => {
      const s = await fresh();
      const a1 = await s.policy.append({ scope: 'global', document: doc({ deny: ['pool.example'], blockAction: 'refused' }), author: 'cli:ana', createdAt: T0, comment: 'first', rolledBackFrom: null });
      const b1 = await s.policy.append({ scope: 'unit:lab', document: doc({ categories: { 'mining-pool': 'monitor' }, defaultAction: 'allow' }), author: 'bo', createdAt: T0 + 1, comment: '', rolledBackFrom: null });
      const a2 = await s.policy.append({ scope: 'global', document: doc(), author: 'cli:ana', createdAt: T0 + 2, comment: '矿池', rolledBackFrom: 1 });
      expect([a1.version, b1.version, a2.version]).toEqual([1, 1, 2]);
      expect(await s.policy.getVersion('global', 1)).toEqual(a1);
      expect(await s.policy.getVersion('global', 2)).toEqual({ scope: 'global', version: 2, document: doc(), author: 'cli:ana', createdAt: T0 + 2, comment: '矿池', rolledBackFrom: 1 });
      expect(await s.policy.getVersion('global', 3)).toBeNull();
      expect(await s.policy.current()).toEqual([a2, b1]);
    });

    it('lists history newest first, with a limit', async () => {
      const s = await fresh();
      for (let i = 0; i < 4; i++) await s.policy.append({ scope: 'group:labs', document: doc({ deny: [`n${i}.example`] }), author: 'a', createdAt: T0 + i, comment: `c${i}`, rolledBackFrom: null });
      expect((await s.policy.history('group:labs')).map((v) => v.version)).toEqual([4, 3, 2, 1]);
      expect((await s.policy.history('group:labs', 2)).map((v) => v.comment)).toEqual(['c3', 'c2']);
      expect(await s.policy.history('global')).toEqual([]);
    });

    it('bumps the revision on every append and group change, not on reads or heartbeats', async () => {
      const s = await fresh();
      const r0 = await s.policy.revision();
      await s.policy.append({ scope: 'global', document: doc(), author: 'a', createdAt: T0, comment: '', rolledBackFrom: null });
      const r1 = await s.policy.revision();
      expect(r1).toBeGreaterThan(r0);
      await s.policy.putGroup({ name: 'labs', description: 'the labs', units: ['lab-1', 'lab-2'], updatedAt: T0 });
      const r2 = await s.policy.revision();
      expect(r2).toBeGreaterThan(r1);
      await s.policy.current();
      await s.policy.heartbeat({ id: 'g', hostname: 'h', startedAt: T0, lastSeenAt: T0, policyRevision: r2, appliedAt: T0 });
      expect(await s.policy.revision()).toBe(r2);
      expect(await s.policy.deleteGroup('labs')).toBe(true);
      const r3 = await s.policy.revision();
      expect(r3).toBeGreaterThan(r2);
      expect(await s.policy.deleteGroup('labs')).toBe(false);
      expect(await s.policy.revision()).toBe(r3);
    });

    it('puts, replaces, lists and deletes groups', async () => {
      const s = await fresh();
      await s.policy.putGroup({ name: 'b', description: '', units: [], updatedAt: T0 });
      await s.policy.putGroup({ name: 'a', description: 'first', units: ['u1'], updatedAt: T0 });
      await s.policy.putGroup({ name: 'a', description: 'again', units: ['u1', 'u2'], updatedAt: T0 + 5 });
      expect(await s.policy.listGroups()).toEqual([
        { name: 'a', description: 'again', units: ['u1', 'u2'], updatedAt: T0 + 5 },
        { name: 'b', description: '', units: [], updatedAt: T0 },
      ]);
      await s.policy.deleteGroup('b');
      expect((await s.policy.listGroups()).map((g) => g.name)).toEqual(['a']);
    });

    it('upserts gateways by id on heartbeat and filters by last seen', async () => {
      const s = await fresh();
      const g = (id: string, lastSeenAt: number, extra: Partial<GatewayStatus> = {}): GatewayStatus =>
        ({ id, hostname: 'gw-1', startedAt: T0, lastSeenAt, policyRevision: 1, appliedAt: null, ...extra });
      await s.policy.heartbeat(g('old', T0 + 10));
      await s.policy.heartbeat(g('new', T0 + 20));
      await s.policy.heartbeat(g('new', T0 + 30, { policyRevision: 7, appliedAt: T0 + 29 }));
      expect(await s.policy.gateways(T0 + 15)).toEqual([g('new', T0 + 30, { policyRevision: 7, appliedAt: T0 + 29 })]);
      expect((await s.policy.gateways(0)).map((x) => x.id)).toEqual(['new', 'old']);
    });
  });
}
