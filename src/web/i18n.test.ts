import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.ts';
import { zh } from './i18n/zh.ts';

function flatten(o: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const [k2, v2] of flatten(v as object, key)) out.set(k2, v2);
    else out.set(key, v);
  }
  return out;
}

describe('console translations', () => {
  const e = flatten(en);
  const z = flatten(zh);

  it('English and Chinese have exactly the same keys', () => {
    expect([...z.keys()].sort()).toEqual([...e.keys()].sort());
  });

  it('no string is empty and every value is a string', () => {
    for (const [k, v] of [...e, ...z]) {
      expect(typeof v, k).toBe('string');
      expect((v as string).trim().length, k).toBeGreaterThan(0);
    }
  });

  it('both use the same interpolation placeholders', () => {
    const vars = (s: unknown): string[] => [...String(s).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();
    for (const [k, v] of e) expect(vars(z.get(k)), k).toEqual(vars(v));
  });
});
