import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';
import { exportUnitsYaml, importUnitsYaml } from './io-yaml.ts';
import { exportUnitsCsv, importUnitsCsv } from './io.ts';
import { CITY } from './org.test-util.ts';
import { UnitTree } from './tree.ts';

const tree = UnitTree.build(CITY);
const HEADER = 'id,name,parent,kind,site,cidrs,egress,contact_name,contact_email,contact_phone';

describe('readCsv', () => {
  it('handles quoted commas, doubled quotes, line breaks in quotes, CRLF and a BOM', () => {
    const { records, errors } = readCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\n\n"two\nlines",z\n');
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', 'z'] },
    ]);
  });
  it('reports an unterminated quote and text after a closing quote with their lines', () => {
    expect(readCsv('a\n"x"y,1\n"open').errors).toEqual([
      { line: 2, message: 'text after a closing quote' },
      { line: 3, message: 'unterminated quoted field' },
    ]);
  });
});

describe('CSV units', () => {
  it('round-trips every field, UTF-8 names included', () => {
    const csv = exportUnitsCsv(tree);
    expect(csv.split('\n')[0]).toBe(`${HEADER},contact_role`);
    expect(csv).toContain('"北区教育局, 分局"');
    const back = importUnitsCsv(csv);
    expect(back.units()).toEqual(tree.units());
    expect(exportUnitsCsv(back)).toBe(csv);
  });
  it('writes exactly the documented header when no contact has a role', () => {
    const t = UnitTree.build([{ id: 'a', name: '甲', parentId: null, cidrs: ['10.0.0.0/8'], site: '', egress: [], contacts: [] }]);
    expect(exportUnitsCsv(t)).toBe(`${HEADER}\na,甲,,,,10.0.0.0/8,,,,\n`);
  });
  it('reads positional contacts and multi-valued cells', () => {
    const t = importUnitsCsv(`${HEADER}\ns1,一中,,school,,10.0.0.0/24; 10.0.1.0/24,,"李老师;王工",li@x.cn;,;139\n`);
    expect(t.require('s1')).toMatchObject({
      cidrs: ['10.0.0.0/24', '10.0.1.0/24'],
      contacts: [{ name: '李老师', email: 'li@x.cn' }, { name: '王工', phone: '139' }],
    });
  });
  it('fails as a whole, listing every bad row with its line number', () => {
    const csv = [
      HEADER,
      'centre,中心,,centre,,10.0.0.0/8,,,,',
      'a,甲,ghost,school,,10.1.0.0/16,,,,',
      'b,乙,centre,school,,10.1.0.0/33,,,,',
      'c,丙,centre',
      'd,丁,centre,school,,,,x,a@x;b@x,',
      'centre,重复,,,,,,,,',
    ].join('\n');
    let message = '';
    try {
      importUnitsCsv(csv);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/nothing imported \(5 error/);
    expect(message).toMatch(/line 3: unit "a": parentId: parent "ghost" does not exist/);
    expect(message).toMatch(/line 4: unit "b": cidrs: "10.1.0.0\/33"/);
    expect(message).toMatch(/line 5: 3 fields, the header has 10/);
    expect(message).toMatch(/line 6: unit "d": contacts: more contact_email values than contact names/);
    expect(message).toMatch(/line 7: unit "centre": id: duplicate id/);
  });
  it('rejects an unknown or missing column', () => {
    expect(() => importUnitsCsv('id,name,colour\n')).toThrow(/line 1: unknown column "colour"/);
    expect(() => importUnitsCsv('id,parent\n')).toThrow(/the header has no "name" column/);
  });
  it('refuses to export a list value containing the separator', () => {
    const t = UnitTree.build([{ id: 'a', name: 'A', parentId: null, cidrs: [], site: '', egress: [], contacts: [{ name: 'x;y' }] }]);
    expect(() => exportUnitsCsv(t)).toThrow(/unit "a": contact_name: "x;y" contains ';'/);
  });
});

describe('YAML units', () => {
  it('round-trips every field in the nested form', () => {
    const yaml = exportUnitsYaml(tree);
    expect(yaml).toContain('市教育信息中心');
    expect(yaml).toMatch(/^units:\n {2}- id: edu-centre\n/);
    const back = importUnitsYaml(yaml);
    expect(back.units()).toEqual(tree.units());
    expect(exportUnitsYaml(back)).toBe(yaml);
  });
  it('reads a flat list with parents, keeping numeric-looking ids as text', () => {
    const t = importUnitsYaml(`- id: "001"\n  name: 中心\n  parent: ~\n  cidrs: 10.0.0.0/8\n- id: s1\n  name: 一中\n  parent: 001\n  site: x\n`);
    expect(t.require('s1')).toMatchObject({ parentId: '001', site: 'x' });
    expect(t.require('001').cidrs).toEqual(['10.0.0.0/8']);
  });
  it('reads the nested form under a top-level units key and mixes with parent references', () => {
    const t = importUnitsYaml('units:\n  - id: c\n    name: C\n    units:\n      - id: d\n        name: D\n  - id: e\n    name: E\n    parent: d\n');
    expect(t.ancestors('e').map((u) => u.id)).toEqual(['c', 'd']);
  });
  it('fails as a whole with line numbers', () => {
    const yaml = 'units:\n  - id: c\n    name: C\n    colour: red\n    units:\n      - id: d\n        name: D\n        parent: x\n        cidrs: [bad]\n';
    let message = '';
    try {
      importUnitsYaml(yaml);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/line 4: unit "c": unknown key "colour"/);
    expect(message).toMatch(/line 8: unit "d": parent "x" contradicts its nesting under "c"/);
    expect(message).toMatch(/line 6: unit "d": cidrs: "bad" is not an IP address or CIDR/);
  });
  it('reports YAML syntax errors with their line', () => {
    expect(() => importUnitsYaml('units:\n  - id: a\n   name: [\n')).toThrow(/YAML import failed.*\n\s+line \d+:/);
  });
});
