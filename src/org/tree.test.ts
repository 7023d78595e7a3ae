import { describe, expect, it } from 'vitest';
import { MinewardenError } from '../core/errors.ts';
import type { Unit } from '../model/org.ts';
import { CITY } from './org.test-util.ts';
import { UnitTree } from './tree.ts';

const unit = (id: string, parentId: string | null, rest: Partial<Unit> = {}): Unit => ({
  id, name: id.toUpperCase(), parentId, cidrs: [], site: '', egress: [], contacts: [], ...rest,
});

function problemsOf(units: Unit[]): string {
  try {
    UnitTree.build(units);
  } catch (e) {
    expect(e).toBeInstanceOf(MinewardenError);
    expect((e as MinewardenError).code).toBe('MW_ERR_BAD_INPUT');
    return (e as MinewardenError).message;
  }
  throw new Error('expected the tree to be rejected');
}

describe('UnitTree validation', () => {
  it('rejects a duplicate id, naming the unit and field', () => {
    expect(problemsOf([unit('a', null), unit('a', null)])).toMatch(/unit "a": id: duplicate id \(also unit #1\)/);
  });
  it('rejects a missing parent', () => {
    expect(problemsOf([unit('a', 'ghost')])).toMatch(/unit "a": parentId: parent "ghost" does not exist/);
  });
  it('rejects a cycle once, listing its members', () => {
    const msg = problemsOf([unit('root', null), unit('a', 'c'), unit('b', 'a'), unit('c', 'b'), unit('self', 'self')]);
    expect(msg).toMatch(/parents form a cycle: a → c → b → a/);
    expect(msg).toMatch(/unit "self": parentId: a unit cannot be its own parent/);
    expect(msg.match(/cycle/g)).toHaveLength(1);
  });
  it('rejects a bad CIDR, a bad slug and an empty name, all in one error', () => {
    const msg = problemsOf([unit('a', null, { cidrs: ['10.0.0.0/33'], egress: ['not-an-ip'] }), { ...unit('B c', null), name: ' ' }]);
    expect(msg).toMatch(/unit "a": cidrs: "10.0.0.0\/33" is not an IP address or CIDR/);
    expect(msg).toMatch(/unit "a": egress: "not-an-ip"/);
    expect(msg).toMatch(/unit "B c": id: .* is not a slug/);
    expect(msg).toMatch(/unit "B c": name: is empty/);
    expect(msg).toMatch(/4 problem/);
  });
  it('rejects the same internal CIDR twice in one site but allows it across sites', () => {
    expect(problemsOf([unit('a', null, { cidrs: ['10.0.0.0/8'] }), unit('b', null, { cidrs: ['10.1.2.3/8'] })])).toMatch(
      /unit "b": cidrs: 10.0.0.0\/8 at site "" is also claimed by unit "a"/,
    );
    expect(() => UnitTree.build([unit('a', null, { cidrs: ['10.0.0.0/8'], site: 'x' }), unit('b', null, { cidrs: ['10.0.0.0/8'] })])).not.toThrow();
  });
  it('rejects an egress address claimed by two units, whatever their sites', () => {
    const msg = problemsOf([unit('a', null, { egress: ['203.0.113.1'], site: 'x' }), unit('b', null, { egress: ['203.0.113.1/32'] })]);
    expect(msg).toMatch(/unit "b": egress: 203.0.113.1 is also claimed by unit "a"/);
  });
  it('normalises CIDRs: host bits cleared, IPv6 canonical, IPv4-mapped as IPv4, duplicates folded', () => {
    const t = UnitTree.build([unit('a', null, { cidrs: ['10.3.7.9/24', '2001:0DB8:0:0::1/32', '::ffff:192.0.2.0/120', '10.3.7.0/24', '192.0.2.5/32'] })]);
    expect(t.require('a').cidrs).toEqual(['10.3.7.0/24', '2001:db8::/32', '192.0.2.0/24', '192.0.2.5']);
  });
});

describe('UnitTree navigation', () => {
  const tree = UnitTree.build(CITY);
  it('lists parents before children', () => {
    const seen = new Set<string>();
    for (const u of tree.units()) {
      if (u.parentId !== null) expect(seen.has(u.parentId)).toBe(true);
      seen.add(u.id);
    }
    expect(tree.size).toBe(CITY.length);
  });
  it('gives children, ancestors from the root, path and depth', () => {
    expect(tree.children('d-west').map((u) => u.id)).toEqual(['s-west-1', 's-west-2', 's-west-3']);
    expect(tree.ancestors('lab-north-7').map((u) => u.id)).toEqual(['edu-centre', 'd-north', 's-north-7']);
    expect(tree.path('d-east').map((u) => u.id)).toEqual(['edu-centre', 'd-east']);
    expect(tree.ancestors('edu-centre')).toEqual([]);
    expect(tree.depth('edu-centre')).toBe(0);
    expect(tree.depth('lab-north-7')).toBe(3);
  });
  it('gives subtree ids for unit filters', () => {
    expect([...tree.subtreeIds('d-north')].sort()).toEqual(['d-north', 'lab-north-7', 's-north-7', 's-north-8', 's-north-9']);
    expect(tree.subtreeIds('s-east-1')).toEqual(new Set(['s-east-1']));
    expect(tree.subtreeIds('edu-centre').size).toBe(CITY.length);
    expect(tree.isWithin('lab-north-7', 'd-north')).toBe(true);
    expect(tree.isWithin('d-north', 'lab-north-7')).toBe(false);
  });
  it('answers MW_ERR_NOT_FOUND for an unknown unit', () => {
    expect(() => tree.children('nope')).toThrow(expect.objectContaining({ code: 'MW_ERR_NOT_FOUND' }) as Error);
  });
  it('is immutable', () => {
    expect(() => tree.require('d-east').cidrs.push('1.2.3.4')).toThrow();
  });
});
