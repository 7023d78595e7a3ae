/**
 * `minewarden policy …` as a user runs it: set (file and quick edits), show, history, rollback,
 * groups, effective, clear errors for bad input — on a stopped data directory, and through a
 * running `serve`, whose gateway applies the change at once and reports the revision it runs.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { UnitTree, exportUnitsYaml } from '../src/org/index.ts';
import { CITY } from '../src/org/org.test-util.ts';
import { mw, startServe, stopChild } from './support/cli.ts';

const run = promisify(execFile);

/** A data directory with the test organisation, and a config on free loopback ports only. */
async function setup(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mw-policy-'));
  writeFileSync(join(dir, 'minewarden.yaml'), [
    'dns:', '  listen: 127.0.0.1:0', '  upstreams: [127.0.0.1:9]', '  timeout: 1',
    'api:', '  listen: 127.0.0.1:0', '  policyPoll: 1',
    'metrics:', '  listen: ""',
  ].join('\n'));
  writeFileSync(join(dir, 'units.yml'), exportUnitsYaml(UnitTree.build(CITY)));
  const imp = await mw(dir, ['units', 'import', join(dir, 'units.yml')]);
  expect(imp.err).toBe('');
  return dir;
}

describe('minewarden policy', () => {
  it('sets from a file and with quick edits, shows YAML, lists history, rolls back, and explains a unit', async () => {
    const dir = await setup();
    expect((await mw(dir, ['policy'])).out).toMatch(/no stored policies/);
    writeFileSync(join(dir, 'lab.yaml'), 'categories:\n  mining-pool: block\n  adware: monitor\ndeny:\n  - Casino.Example.\nblockAction: refused\n');
    const set = await mw(dir, ['policy', 'set', 'unit:s-east-2', '--file', join(dir, 'lab.yaml'), '--comment', 'school rules']);
    expect(set.err).toBe('');
    expect(set.out).toBe('unit:s-east-2 version 1: mining-pool=block adware=monitor, deny 1, block-action=refused\n');
    const quick = await mw(dir, ['policy', 'set', 'unit:s-east-2', '--deny', 'games.example,bet.example', '--monitor', 'mining-pool', '--block-action', 'nxdomain']);
    expect(quick.out).toBe('unit:s-east-2 version 2: mining-pool=monitor adware=monitor, deny 3, block-action=nxdomain\n');

    const show = (await mw(dir, ['policy', 'show', 'unit:s-east-2'])).out;
    expect(show).toMatch(/^# unit:s-east-2 version 2 by cli:\S+ at \d{4}-/);
    expect(show).toMatch(/^deny:\n {2}- bet\.example\n {2}- casino\.example\n {2}- games\.example$/m);

    const hist = (await mw(dir, ['policy', 'history', 'unit:s-east-2'])).out.split('\n');
    expect(hist[0]).toMatch(/^VERSION +WHEN +AUTHOR +ROLLBACK +POLICY +COMMENT$/);
    expect(hist[1]).toMatch(/^2 /);
    expect(hist[2]).toMatch(/^1 .* school rules$/);

    expect((await mw(dir, ['policy', 'rollback', 'unit:s-east-2', '1'])).out).toBe('unit:s-east-2 version 3 (rollback to 1): mining-pool=block adware=monitor, deny 1, block-action=refused\n');
    const versions = JSON.parse((await mw(dir, ['policy', 'history', 'unit:s-east-2', '--json'])).out) as Array<{ version: number; rolledBackFrom: number | null; author: string }>;
    expect(versions.map((v) => [v.version, v.rolledBackFrom])).toEqual([[3, 1], [2, null], [1, null]]);
    expect(versions[0]?.author).toMatch(/^cli:/);

    expect((await mw(dir, ['policy', 'group', 'set', 'east', '--units', 's-east-2,d-east', '--description', 'east side'])).out).toBe('group east: 2 units (s-east-2, d-east)\n');
    await mw(dir, ['policy', 'set', 'group:east', '--allow', 'ok.example']);
    const eff = (await mw(dir, ['policy', 'effective', 's-east-2'])).out;
    expect(eff).toMatch(/^unit s-east-2: unit:s-east-2 > group:east > .*global$/m);
    expect(eff).toMatch(/block action +refused +from unit:s-east-2 v3/);
    expect(eff).toMatch(/allow +ok\.example +from group:east v1/);
    expect((await mw(dir, ['policy', 'group', 'list'])).out).toMatch(/^east +s-east-2,d-east +east side/m);
    expect((await mw(dir, ['policy', 'group', 'rm', 'east'])).out).toBe('group east deleted\n');
  }, 300_000);

  it('refuses a bad category action, an unknown unit or version, with a clear message and exit 1', async () => {
    const dir = await setup();
    writeFileSync(join(dir, 'bad.yaml'), 'categories:\n  mining-pool: blok\n');
    const bad = await mw(dir, ['policy', 'set', 'global', '--file', join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('minewarden: invalid policy document: categories.mining-pool: expected block, monitor or allow (got "blok")\n');
    const name = await mw(dir, ['policy', 'set', 'global', '--deny', 'not a name']);
    expect(name.code).toBe(1);
    expect(name.err).toMatch(/deny\[0\]: "not a name" is not a DNS name/);
    expect((await mw(dir, ['policy', 'set', 'global', '--block-action', 'drop'])).err).toMatch(/blockAction: expected nxdomain, nodata, refused or sinkhole/);
    expect((await mw(dir, ['policy', 'set', 'unit:nowhere', '--deny', 'x.example'])).err).toBe('minewarden: no unit "nowhere"\n');
    expect((await mw(dir, ['policy', 'rollback', 'global', '7'])).err).toBe('minewarden: global has no version 7\n');
    const scope = await mw(dir, ['policy', 'show', 'school:1']);
    expect(scope.code).toBe(1);
    expect(scope.err).toMatch(/"school:1" is not a policy scope/);
    expect((await mw(dir, ['policy', 'history', 'global'])).out).toBe('global: no versions\n');
  }, 300_000);
});

describe('minewarden policy with serve running', () => {
  let server: ChildProcess | null = null;
  afterEach(async () => {
    if (server !== null) await stopChild(server);
    server = null;
  });

  it('changes the running gateway at once, and lists it as current in policy gateways', async () => {
    const dir = await setup();
    const s = await startServe(dir, { dataDir: dir });
    server = s.child;
    const port = /dns=udp:\/\/127\.0\.0\.1:(\d+)/.exec(s.log())?.[1];
    expect(port).toBeDefined();
    const status = async (): Promise<string> => {
      const r = await run('dig', ['@127.0.0.1', '-p', port!, '+time=2', '+tries=1', 'www.blocked.example', 'A']);
      return /status: ([A-Z]+)/.exec(r.stdout)?.[1] ?? '';
    };
    expect(await status()).not.toBe('NXDOMAIN');
    const set = await mw(dir, ['policy', 'set', 'global', '--deny', 'blocked.example', '-m', 'through the socket']);
    expect(set.err).toBe('');
    const end = Date.now() + 3000;
    let last = '';
    while (Date.now() < end && (last = await status()) !== 'NXDOMAIN') await new Promise((r) => setTimeout(r, 100));
    expect(last).toBe('NXDOMAIN');
    const gw = JSON.parse((await mw(dir, ['policy', 'gateways', '--json'])).out) as { revision: number; gateways: Array<{ policyRevision: number }> };
    expect(gw.gateways).toHaveLength(1);
    expect(gw.gateways[0]?.policyRevision).toBe(gw.revision);
    expect((await mw(dir, ['policy', 'gateways'])).out).toMatch(/ current /);
  }, 300_000);
});
