/**
 * Policy documents (validation, normalisation, scopes), the compilation into `dns.policy`
 * (stored over file field by field, groups below their units) and the service over a memory store
 * (versions, rollback, clear, groups, audit, change events).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyGroup, PolicyVersion } from '../model/policy.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { compilePolicy, effectivePolicy, normalizeName, parseDocument, parseScope, PolicyService, type DnsPolicy, type PolicyAuditEntry, type PolicyChange } from './index.ts';

const T0 = Date.UTC(2024, 4, 1);
const doc = (extra: Partial<PolicyDocument> = {}): PolicyDocument => ({ categories: {}, allow: [], deny: [], ...extra });
const version = (scope: string, v: number, d: PolicyDocument): PolicyVersion => ({ scope, version: v, document: d, author: 'a', createdAt: T0, comment: '', rolledBackFrom: null });
const group = (name: string, units: string[]): PolicyGroup => ({ name, description: '', units, updatedAt: T0 });
const file = (extra: Partial<DnsPolicy> = {}): DnsPolicy => ({ allow: [], deny: [], categories: {}, units: {}, ...extra });

describe('policy document', () => {
  it('normalises names: lower case, trailing dot gone, IDN to punycode, duplicates once, sorted', () => {
    expect(parseDocument({ deny: ['Pool.Example.', 'pool.example', 'Bücher.example'], allow: ['_dmarc.ok.example'] })).toEqual(
      { categories: {}, allow: ['_dmarc.ok.example'], deny: ['pool.example', 'xn--bcher-kva.example'] },
    );
    expect(normalizeName('-bad.example')).toBeNull();
    expect(normalizeName('a..example')).toBeNull();
    expect(normalizeName(`${'a'.repeat(64)}.example`)).toBeNull();
  });

  it('fills defaults and keeps the optional actions', () => {
    expect(parseDocument({})).toEqual(doc());
    expect(parseDocument({ categories: { 'mining-pool': 'block', adware: 'monitor' }, defaultAction: 'allow', blockAction: 'refused' }))
      .toEqual(doc({ categories: { 'mining-pool': 'block', adware: 'monitor' }, defaultAction: 'allow', blockAction: 'refused' }));
  });

  it('rejects bad input with MW_ERR_BAD_INPUT naming the field', () => {
    expect(() => parseDocument({ categories: { 'mining-pool': 'blok' } })).toThrow(/categories\.mining-pool: expected block, monitor or allow \(got "blok"\)/);
    expect(() => parseDocument({ deny: ['ok.example', 'not a name'] })).toThrow(/deny\[1\]: "not a name" is not a DNS name/);
    expect(() => parseDocument({ blockAction: 'drop' })).toThrow(/blockAction: expected nxdomain, nodata, refused or sinkhole/);
    expect(() => parseDocument({ deny: [], colour: 'red' })).toThrow(/unknown key colour/);
    try {
      parseDocument({ deny: 'x' });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    }
  });

  it('parses scopes', () => {
    expect(parseScope('global')).toEqual({ kind: 'global' });
    expect(parseScope('unit:s-east-2')).toEqual({ kind: 'unit', id: 's-east-2' });
    expect(parseScope('group:labs')).toEqual({ kind: 'group', name: 'labs' });
    for (const bad of ['', 'unit:', 'group:no spaces', 'site:x', 'Global']) expect(() => parseScope(bad)).toThrow(/not a policy scope/);
  });
});

describe('compilePolicy', () => {
  it('is the config file when nothing is stored', () => {
    const base = file({ deny: ['casino.test'], units: { lab: { allow: [], deny: ['games.test'], categories: {}, blockAction: 'refused' } } });
    expect(compilePolicy(base, [], [])).toEqual(base);
  });

  it('lets a stored field that is set replace the file field of the same scope, and leaves the others', () => {
    const base = file({ deny: ['casino.test'], categories: { adware: 'monitor' }, default: 'monitor', units: { lab: { allow: ['ok.test'], deny: ['games.test'], categories: {} } } });
    const out = compilePolicy(base, [
      version('global', 3, doc({ deny: ['pool.test'], blockAction: 'nodata' })),
      version('unit:lab', 1, doc({ categories: { 'mining-pool': 'allow' } })),
      version('unit:new', 2, doc({ defaultAction: 'allow' })),
    ], []);
    expect(out).toEqual({
      allow: [], deny: ['pool.test'], categories: { adware: 'monitor' }, default: 'monitor', blockAction: 'nodata',
      units: {
        lab: { allow: ['ok.test'], deny: ['games.test'], categories: { 'mining-pool': 'allow' } },
        new: { allow: [], deny: [], categories: {}, default: 'allow' },
      },
    });
  });

  it('falls back to the file for a cleared scope', () => {
    const base = file({ deny: ['casino.test'] });
    expect(compilePolicy(base, [version('global', 2, doc())], [])).toEqual(base);
  });

  it('applies a group to each of its units, below the unit and in name order', () => {
    const out = compilePolicy(file(), [
      version('unit:lab', 1, doc({ categories: { adware: 'allow' } })),
      version('group:b-labs', 1, doc({ categories: { adware: 'block', suspicious: 'block' }, deny: ['b.test'], blockAction: 'refused' })),
      version('group:a-labs', 1, doc({ categories: { suspicious: 'monitor' }, deny: ['a.test'] })),
      version('group:gone', 1, doc({ deny: ['gone.test'] })),
    ], [group('b-labs', ['lab', 'lab2']), group('a-labs', ['lab'])]);
    expect(out.units).toEqual({
      lab: { allow: [], deny: ['a.test', 'b.test'], categories: { adware: 'allow', suspicious: 'monitor' }, blockAction: 'refused' },
      lab2: { allow: [], deny: ['b.test'], categories: { adware: 'block', suspicious: 'block' }, blockAction: 'refused' },
    });
  });

  it('explains the effective policy of a unit, with the origin of each setting', () => {
    const base = file({ deny: ['casino.test'], units: { edu: { allow: [], deny: [], categories: { adware: 'monitor' } } } });
    const e = effectivePolicy(base, [
      version('unit:s-1', 4, doc({ blockAction: 'refused' })),
      version('group:labs', 2, doc({ categories: { adware: 'block' }, deny: ['lab.test'] })),
      version('global', 7, doc({ defaultAction: 'monitor', deny: ['casino.test', 'pool.test'] })),
    ], [group('labs', ['d-1'])], 's-1', ['s-1', 'd-1', 'edu']);
    expect(e).toEqual({
      unit: 's-1', scopes: ['unit:s-1', 'group:labs', 'unit:edu', 'global'],
      categories: { adware: { action: 'block', from: { scope: 'group:labs', version: 2 } } },
      defaultAction: { action: 'monitor', from: { scope: 'global', version: 7 } },
      allow: [],
      deny: [
        { name: 'lab.test', from: { scope: 'group:labs', version: 2 } },
        { name: 'casino.test', from: { scope: 'global', version: 7 } },
        { name: 'pool.test', from: { scope: 'global', version: 7 } },
      ],
      blockAction: { action: 'refused', from: { scope: 'unit:s-1', version: 4 } },
    });
    expect(effectivePolicy(base, [], [], 'edu', ['edu'])).toMatchObject({ categories: { adware: { from: { scope: 'unit:edu', version: null } } }, defaultAction: { action: 'block', from: null }, blockAction: null });
  });
});

describe('PolicyService', () => {
  const open: Store[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  const service = async (): Promise<{ svc: PolicyService; audit: PolicyAuditEntry[]; changes: PolicyChange[]; store: Store }> => {
    const store = await openMemoryStore();
    open.push(store);
    const audit: PolicyAuditEntry[] = [];
    const changes: PolicyChange[] = [];
    let t = T0;
    const svc = new PolicyService({
      store: store.policy, unitExists: (id) => ['lab', 'lab2', 'edu'].includes(id), now: () => t++,
      audit: (e) => {
        audit.push(e);
        return Promise.resolve();
      },
      lineage: (u) => (u === 'lab' ? ['lab', 'edu'] : [u]),
    });
    svc.onChange((c) => changes.push(c));
    return { svc, audit, changes, store };
  };

  it('sets, lists history newest first, rolls back as a new version, and audits before/after', async () => {
    const { svc, audit, changes } = await service();
    const r0 = await svc.revision();
    const v1 = await svc.set('unit:lab', { deny: ['Pool.Test.'] }, 'cli:ana', 'first');
    const v2 = await svc.set('unit:lab', { deny: ['other.test'], blockAction: 'refused' }, 'cli:ana');
    expect(await svc.revision()).toBeGreaterThan(r0);
    expect(v1).toMatchObject({ scope: 'unit:lab', version: 1, document: doc({ deny: ['pool.test'] }), author: 'cli:ana', comment: 'first', rolledBackFrom: null });
    const back = await svc.rollback('unit:lab', 1, 'cli:bo');
    expect(back).toMatchObject({ version: 3, document: v1.document, rolledBackFrom: 1, comment: 'rollback to version 1', author: 'cli:bo' });
    expect((await svc.history('unit:lab')).map((v) => v.version)).toEqual([3, 2, 1]);
    expect(audit.map((a) => [a.action, a.target])).toEqual([['policy.update', 'unit:lab'], ['policy.update', 'unit:lab'], ['policy.rollback', 'unit:lab']]);
    expect(audit[2]).toMatchObject({ actor: 'cli:bo', before: v2.document, after: v1.document });
    expect(audit[0]?.before).toBeNull();
    expect(changes.map((c) => c.version?.version)).toEqual([1, 2, 3]);
  });

  it('refuses unknown units, groups, versions and bad documents', async () => {
    const { svc, audit } = await service();
    await expect(svc.set('unit:nope', {}, 'a')).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
    await expect(svc.set('group:labs', {}, 'a')).rejects.toThrow(/no policy group "labs"/);
    await expect(svc.set('global', { categories: { x: 'nope' } }, 'a')).rejects.toMatchObject({ code: 'MW_ERR_BAD_INPUT' });
    await expect(svc.rollback('global', 4, 'a')).rejects.toThrow(/global has no version 4/);
    await expect(svc.putGroup('labs', { units: ['lab', 'ghost'] }, 'a')).rejects.toThrow(/no unit "ghost"/);
    await expect(svc.clear('global', 'a')).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND' });
    expect(audit).toEqual([]);
  });

  it('clears a scope with an empty version, and keeps groups with their own policies', async () => {
    const { svc, audit, changes } = await service();
    await svc.set('global', { deny: ['x.test'] }, 'a');
    expect((await svc.clear('global', 'a')).document).toEqual(doc());
    const g = await svc.putGroup('labs', { description: 'the labs', units: ['lab', 'lab2', 'lab'] }, 'a');
    expect(g).toEqual({ name: 'labs', description: 'the labs', units: ['lab', 'lab2'], updatedAt: expect.any(Number) as number });
    await svc.set('group:labs', { categories: { adware: 'block' } }, 'a');
    expect((await svc.effective('lab')).categories).toEqual({ adware: { action: 'block', from: { scope: 'group:labs', version: 1 } } });
    expect(await svc.deleteGroup('labs', 'a')).toBe(true);
    expect(await svc.deleteGroup('labs', 'a')).toBe(false);
    expect(await svc.listGroups()).toEqual([]);
    expect(audit.map((a) => a.action)).toEqual(['policy.update', 'policy.clear', 'policy-group.update', 'policy.update', 'policy-group.delete']);
    expect(changes.map((c) => c.kind)).toEqual(['policy', 'policy', 'group', 'policy', 'group']);
  });
});
