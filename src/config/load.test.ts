import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mw-config-'));
}

describe('loadConfig', () => {
  it('starts with defaults when there is no file and no variable', () => {
    const { config, file } = loadConfig({ cwd: tmp(), env: {} });
    expect(file).toBeNull();
    expect(config.dataDir).toBe('./data');
    expect(config.intel.seed).toBe(true);
    expect(config.intel.feeds).toEqual([]);
    expect(Object.isFrozen(config.intel)).toBe(true);
  });

  it('reads minewarden.yaml and converts durations to seconds', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'minewarden.yaml'),
      'dataDir: /var/lib/mw\nintel:\n  feeds:\n    - name: feodo\n      url: https://feodotracker.abuse.ch/downloads/ipblocklist.csv\n      category: botnet-c2\n      refresh: 1h\n',
    );
    const { config, file } = loadConfig({ cwd: dir, env: {} });
    expect(file).toBe(join(dir, 'minewarden.yaml'));
    expect(config.dataDir).toBe('/var/lib/mw');
    expect(config.intel.feeds[0]).toMatchObject({ name: 'feodo', refresh: 3600, format: 'auto', confidence: 70, enabled: true });
  });

  it('lets MINEWARDEN_* variables override the file, nested with double underscores', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'minewarden.yaml'), 'log:\n  level: warn\n');
    const { config } = loadConfig({ cwd: dir, env: { MINEWARDEN_LOG__LEVEL: 'debug', MINEWARDEN_DATA_DIR: '/srv/mw', MINEWARDEN_INTEL__SEED: 'false' } });
    expect(config.log.level).toBe('debug');
    expect(config.dataDir).toBe('/srv/mw');
    expect(config.intel.seed).toBe(false);
  });

  it('stops on an unknown key in the file, naming it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'minewarden.yaml'), 'intel:\n  feedz: []\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/unknown key "intel\.feedz"/);
  });

  it('stops on an unknown variable, naming the variable', () => {
    expect(() => loadConfig({ cwd: tmp(), env: { MINEWARDEN_DATADIR: '/x' } })).toThrow(/unknown key "datadir" \(MINEWARDEN_DATADIR\)/);
  });

  it('stops on a bad value, saying what was expected', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'minewarden.yaml'), 'intel:\n  feeds:\n    - name: a\n      url: x\n      refresh: soon\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/"intel\.feeds\.0\.refresh".*expected a duration/);
    expect(() => loadConfig({ cwd: tmp(), env: { MINEWARDEN_LOG__LEVEL: 'loud' } })).toThrow(/"log\.level" \(MINEWARDEN_LOG__LEVEL\)/);
  });

  it('rejects a duplicate feed name and an explicit file that does not exist', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'minewarden.yaml'), 'intel:\n  feeds:\n    - {name: a, url: x}\n    - {name: a, url: y}\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/used twice/);
    expect(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} })).toThrow(/does not exist/);
  });

  it('reports YAML syntax errors with the line', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'minewarden.yaml'), 'log:\n  level: [unclosed\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/not valid YAML at line/);
  });
});
