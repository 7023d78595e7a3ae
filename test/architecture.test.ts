/**
 * The layer rules of ARCHITECTURE.md are enforced by dependency-cruiser in `npm test`. This proves
 * the check itself bites: a tree with an upward import, a side-door import and a cycle fails it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

function cruise(cwd: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-arch-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('layer rules', () => {
  it('pass on the real source tree', () => {
    const r = cruise(ROOT);
    expect(r.out).toMatch(/no dependency violations found/);
    expect(r.code).toBe(0);
  });

  it('fail on an upward import, a side-door import and a cycle', () => {
    const dir = tree({
      'src/model/indicator.ts': "import { run } from '../cli/index.ts';\nexport const x = run;\n",
      'src/cli/index.ts': 'export const run = 1;\n',
      'src/dns/index.ts': "import { inner } from '../intel/matcher/inner.ts';\nexport const d = inner;\n",
      'src/intel/index.ts': "export { inner } from './matcher/inner.ts';\n",
      'src/intel/matcher/inner.ts': "import { other } from './other.ts';\nexport const inner = other;\n",
      'src/intel/matcher/other.ts': "import { inner } from './inner.ts';\nexport const other = () => inner;\n",
    });
    const r = cruise(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/model-is-plain: src\/model\/indicator\.ts → src\/cli\/index\.ts/);
    expect(r.out).toMatch(/front-door-only: src\/dns\/index\.ts → src\/intel\/matcher\/inner\.ts/);
    expect(r.out).toMatch(/no-circular/);
  });
});
