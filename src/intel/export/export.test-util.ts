/** Fixtures for the exporter tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Indicator, IndicatorType } from '../../model/indicator.ts';
import { normalizeValue } from '../normalize.ts';

export const NOW = 1_700_000_000; // 2023-11-14T22:13:20Z

export function indicator(type: IndicatorType, value: string, extra: Partial<Indicator> = {}): Indicator {
  return {
    type,
    value,
    category: 'mining-pool',
    family: '',
    source: 'test-feed',
    confidence: 80,
    firstSeen: NOW - 86_400,
    lastSeen: NOW - 3_600,
    validUntil: 0,
    tags: [],
    reference: '',
    ...extra,
  };
}

/** ../shared/testdata beside the checkout (see shared/README.md); null when it is not there. */
export function sharedTestdata(...parts: string[]): string | null {
  try {
    return readFileSync(join(import.meta.dirname, '../../../../shared/testdata', ...parts), 'utf8');
  } catch {
    return null;
  }
}

/** A plain trail list (one value per line, # comments) as normalised indicators. */
export function indicatorsFromList(text: string, source: string): Indicator[] {
  const out: Indicator[] = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s === '' || s.startsWith('#')) continue;
    const n = normalizeValue(s);
    if (n.ok) out.push(indicator(n.type, n.value, { source }));
  }
  return out;
}
