import { afterEach, describe, expect, it } from 'vitest';
import type { Unit } from '../model/org.ts';
import { openMemoryStore, type Store } from '../store/index.ts';
import { CITY } from './org.test-util.ts';
import { OrgService } from './service.ts';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function fresh(): Promise<{ store: Store; org: OrgService }> {
  const store = await openMemoryStore();
  stores.push(store);
  return { store, org: await OrgService.load(store.org) };
}

describe('OrgService', () => {
  it('starts empty on an empty store and resolves nothing', async () => {
    const { org } = await fresh();
    expect(org.tree().size).toBe(0);
    expect(org.loadError).toBeNull();
    expect(org.resolve('10.1.1.1')).toBeNull();
  });

  it('replaces the tree, stores it, and resolves with the new one at once', async () => {
    const { store, org } = await fresh();
    const summary = await org.replace(CITY);
    expect(summary).toEqual({ units: CITY.length, roots: 1, previous: 0 });
    expect(org.resolve('10.1.1.9', 'east-1')).toEqual({ unitId: 's-east-1', cidr: '10.1.1.0/24' });
    expect(await store.org.listUnits()).toEqual(org.tree().units());
    const again = await OrgService.load(store.org);
    expect(again.tree().units()).toEqual(org.tree().units());
    expect(again.resolve('10.3.7.200')).toEqual({ unitId: 'lab-north-7', cidr: '10.3.7.128/25' });
  });

  it('explains a match: the unit, internal or egress, and the path from the root', async () => {
    const { org } = await fresh();
    await org.replace(CITY);
    const inside = org.explain('192.168.1.20', 'west-2');
    expect(inside).toMatchObject({ unitId: 's-west-2', via: 'internal', cidr: '192.168.1.0/24' });
    expect(inside?.path.map((u) => u.id)).toEqual(['edu-centre', 'd-west', 's-west-2']);
    const nat = org.explain('198.51.100.13', 'east-1');
    expect(nat).toMatchObject({ unitId: 's-west-2', via: 'egress', cidr: '198.51.100.12/31' });
    expect(org.explain('192.168.1.20')).toBeNull();
    expect(org.explain('not an address')).toBeNull();
  });

  it('rejects an invalid set before writing: store, revision and tree stay as they were', async () => {
    const { store, org } = await fresh();
    await org.replace(CITY);
    const rev = await store.org.revision();
    const before = await store.org.listUnits();
    const broken: Unit[] = [...CITY, { id: 'Bad Id', name: '', parentId: 'nowhere', cidrs: ['10.1.1.0/24', '300.1.1.1'], site: 'east-1', egress: [], contacts: [] }];
    await expect(org.replace(broken)).rejects.toThrow(/5 problem[\s\S]*is not a slug[\s\S]*is empty[\s\S]*300\.1\.1\.1[\s\S]*does not exist[\s\S]*also claimed by unit "s-east-1"/);
    expect(await store.org.revision()).toBe(rev);
    expect(await store.org.listUnits()).toEqual(before);
    expect(org.tree().size).toBe(CITY.length);
    expect(org.resolve('10.1.1.9', 'east-1')?.unitId).toBe('s-east-1');
  });

  it('keeps the tree in memory when the store write fails', async () => {
    const { store, org } = await fresh();
    await org.replace(CITY);
    await store.close();
    stores.pop();
    await expect(org.replace(CITY.slice(0, 1))).rejects.toThrow(/closed/);
    expect(org.tree().size).toBe(CITY.length);
  });

  it('serialises concurrent replaces: the last one asked wins in memory and in the store', async () => {
    const { store, org } = await fresh();
    await Promise.all([org.replace(CITY), org.replace(CITY.slice(0, 4)), org.replace(CITY.slice(0, 2))]);
    expect(org.tree().size).toBe(2);
    expect((await store.org.listUnits()).map((u) => u.id)).toEqual(['edu-centre', 'd-east']);
  });

  it('starts empty, with the reason, when the stored set no longer validates', async () => {
    const { store } = await fresh();
    await store.org.replaceUnits([{ id: 'orphan', name: 'x', parentId: 'gone', cidrs: [], site: '', egress: [], contacts: [] }]);
    const org = await OrgService.load(store.org);
    expect(org.tree().size).toBe(0);
    expect(org.loadError).toMatch(/unit "orphan": parentId: parent "gone" does not exist/);
  });
});
