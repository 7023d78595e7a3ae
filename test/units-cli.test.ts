/**
 * `minewarden units …` as a user runs it: a real process, a real data directory, org files
 * written by the exporters from the test organisation (a city education centre, 13 units).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mw } from './support/cli.ts';
import { UnitTree, exportUnitsCsv, exportUnitsYaml } from '../src/org/index.ts';
import { CITY } from '../src/org/org.test-util.ts';


function fixtures(): { dir: string; csv: string; yaml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mw-units-'));
  const tree = UnitTree.build(CITY);
  writeFileSync(join(dir, 'city.csv'), exportUnitsCsv(tree));
  writeFileSync(join(dir, 'city.yml'), exportUnitsYaml(tree));
  return { dir, csv: join(dir, 'city.csv'), yaml: join(dir, 'city.yml') };
}

describe('minewarden units', () => {
  it('imports a CSV file and lists the tree, indented, with ids, kinds, sites and CIDRs', async () => {
    const { dir, csv } = fixtures();
    expect((await mw(dir, ['units', 'list'])).out).toMatch(/no units/);
    const imp = await mw(dir, ['units', 'import', csv]);
    expect(imp.err).toBe('');
    expect(imp.out).toMatch(/imported 13 units \(1 root\)/);
    const list = (await mw(dir, ['units', 'list'])).out.split('\n');
    expect(list[0]).toBe('市教育信息中心  [edu-centre]  centre  10.0.0.0/8 2001:db8::/32  egress=203.0.113.0/28');
    expect(list).toContain('    东城实验小学  [s-east-2]  school  site=east-2  192.168.1.0/24  egress=198.51.100.11');
    expect(list).toContain('      北区第七中学 计算机实验室  [lab-north-7]  department  10.3.7.128/25');
    expect(list).toContain('13 units, 1 root');
    const rows = JSON.parse((await mw(dir, ['units', 'list', '--json'])).out) as Array<{ id: string; depth: number; contacts: unknown[] }>;
    expect(rows.find((r) => r.id === 'lab-north-7')?.depth).toBe(3);
    expect(rows.find((r) => r.id === 's-east-2')?.contacts).toEqual([{ name: '李老师', email: 'li@e2.example.cn' }, { name: 'Zhang "IT" Wei', phone: '139 0000 0000' }]);
  });

  it('resolves nested, overlapping-site and egress addresses, with the path from the root', async () => {
    const { dir, yaml } = fixtures();
    expect((await mw(dir, ['units', 'import', yaml])).out).toMatch(/imported 13 units/);
    const nested = (await mw(dir, ['units', 'resolve', '10.3.7.200', '2001:db8:3:7::1'])).out;
    expect(nested).toMatch(/^10\.3\.7\.200: 北区第七中学 计算机实验室 \[lab-north-7\] — internal 10\.3\.7\.128\/25$/m);
    expect(nested).toMatch(/^ {2}市教育信息中心 \[edu-centre\] › 北区教育局, 分局 \[d-north\] › 北区第七中学 \[s-north-7\] › 北区第七中学 计算机实验室 \[lab-north-7\]$/m);
    expect(nested).toMatch(/^2001:db8:3:7::1: 北区第七中学 \[s-north-7\] — internal 2001:db8:3:7::\/64$/m);
    expect((await mw(dir, ['units', 'resolve', '192.168.1.20', '--site', 'east-2'])).out).toMatch(/at site east-2: 东城实验小学 \[s-east-2\] — internal/);
    expect((await mw(dir, ['units', 'resolve', '192.168.1.20', '--site', 'west-2'])).out).toMatch(/at site west-2: 西城外国语学校 \[s-west-2\] — internal/);
    const other = JSON.parse((await mw(dir, ['units', 'resolve', '--json', '--site', 'east-1', '192.168.1.20', '198.51.100.13', '10.1.1.7'])).out) as Array<Record<string, unknown>>;
    expect(other[0]).toEqual({ ip: '192.168.1.20', site: 'east-1', unit: null });
    expect(other[1]).toMatchObject({ unit: 's-west-2', via: 'egress', cidr: '198.51.100.12/31' });
    expect(other[2]).toMatchObject({ unit: 's-east-1', via: 'internal', path: [{ id: 'edu-centre' }, { id: 'd-east' }, { id: 's-east-1' }] });
    const bad = await mw(dir, ['units', 'resolve', '10.0.0.0/8']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/"10\.0\.0\.0\/8" is not an IP address/);
  });

  it('exports what was imported: CSV and YAML round trips are exact', async () => {
    const { dir, csv, yaml } = fixtures();
    await mw(dir, ['units', 'import', yaml]);
    expect((await mw(dir, ['units', 'export'])).out).toBe(readFileSync(csv, 'utf8'));
    const out = join(dir, 'out.yaml');
    expect((await mw(dir, ['units', 'export', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(yaml, 'utf8'));
    const other = mkdtempSync(join(tmpdir(), 'mw-units-'));
    writeFileSync(join(other, 'again.txt'), (await mw(dir, ['units', 'export', '--format', 'csv'])).out);
    expect((await mw(other, ['units', 'import', join(other, 'again.txt')])).err).toMatch(/add --format csv or --format yaml/);
    expect((await mw(other, ['units', 'import', '--format', 'csv', join(other, 'again.txt')])).code).toBe(0);
    expect((await mw(other, ['units', 'export', '-f', 'yaml'])).out).toBe(readFileSync(yaml, 'utf8'));
  });

  it('rejects a bad file with every error and its line, and keeps the previous tree', async () => {
    const { dir, csv } = fixtures();
    await mw(dir, ['units', 'import', csv]);
    const badCsv = join(dir, 'bad.csv');
    writeFileSync(badCsv, [
      'id,name,parent,kind,site,cidrs,egress,contact_name,contact_email,contact_phone',
      'hq,总部,,centre,,10.0.0.0/8,,,,',
      'school-1,第一中学,hq,school,,10.1.0.0/33,,,,',
      'school-2,第二中学,nowhere,school,,,,,,',
      'school-3,,hq,school,,,,王工,not-an-email,',
      '',
    ].join('\n'));
    const r = await mw(dir, ['units', 'import', badCsv]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad\.csv: CSV import failed, nothing imported \(4 error\(s\)\)/);
    expect(r.err).toMatch(/line 3: unit "school-1": cidrs: "10\.1\.0\.0\/33" is not an IP address or CIDR/);
    expect(r.err).toMatch(/line 4: unit "school-2": parentId: parent "nowhere" does not exist/);
    expect(r.err).toMatch(/line 5: unit "school-3": name: is empty/);
    expect(r.err).toMatch(/line 5: unit "school-3": contacts: contact 1 email "not-an-email" is not an address/);
    const badYaml = join(dir, 'bad.yaml');
    writeFileSync(badYaml, 'units:\n  - id: hq\n    name: 总部\n    units:\n      - id: a\n        name: A\n        colour: red\n');
    const y = await mw(dir, ['units', 'import', badYaml]);
    expect(y.code).toBe(1);
    expect(y.err).toMatch(/line 7: unit "a": unknown key "colour"/);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'id,name,parent,kind,site,cidrs,egress,contact_name,contact_email,contact_phone\n');
    expect((await mw(dir, ['units', 'import', empty])).err).toMatch(/holds no units; .*--allow-empty/);
    expect((await mw(dir, ['units', 'list'])).out).toMatch(/13 units, 1 root/);
    expect((await mw(dir, ['units', 'import', '--allow-empty', empty])).out).toMatch(/imported 0 units \(0 roots\) .* the tree had 13/);
    expect((await mw(dir, ['units', 'list'])).out).toMatch(/no units/);
  });
});
