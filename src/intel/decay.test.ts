import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFETIMES, decayPolicy, decayedScore, expiresAt } from './decay.ts';

const p = decayPolicy({ threshold: 20, speed: 0.3, lifetimes: {} });
const DAY = 86_400;

describe('polynomial decay', () => {
  it('starts at the confidence and reaches zero at the lifetime', () => {
    expect(decayedScore(p, 'domain', 80, 1000, 1000)).toBe(80);
    expect(decayedScore(p, 'domain', 80, 0, DEFAULT_LIFETIMES.domain)).toBe(0);
    const mid = decayedScore(p, 'domain', 80, 0, DEFAULT_LIFETIMES.domain / 2);
    // With speed < 1 the score stays high for most of the lifetime, then falls fast.
    expect(mid).toBeGreaterThan(70);
    expect(mid).toBeLessThan(80);
  });

  it('computes the moment the score crosses the threshold', () => {
    const t = expiresAt(p, 'ip', 80, 0, 0);
    expect(decayedScore(p, 'ip', 80, 0, t - 1)).toBeGreaterThan(20);
    expect(decayedScore(p, 'ip', 80, 0, t + 1)).toBeLessThan(20);
    expect(t).toBeLessThan(30 * DAY);
  });

  it('never decays hashes, honours valid-until, and can be turned off per source', () => {
    expect(expiresAt(p, 'sha256', 80, 0, 0)).toBe(0);
    expect(expiresAt(p, 'sha256', 80, 0, 500)).toBe(500);
    expect(expiresAt(p, 'domain', 80, 0, 100)).toBe(100);
    expect(expiresAt(p, 'domain', 80, 0, 0, false)).toBe(0);
  });

  it('an indicator below the threshold expires at once', () => {
    expect(expiresAt(p, 'domain', 10, 5000, 0)).toBe(5000);
  });

  it('lets config override a lifetime', () => {
    const q = decayPolicy({ threshold: 20, speed: 1, lifetimes: { domain: 10 * DAY } });
    expect(q.lifetimes.domain).toBe(10 * DAY);
    expect(decayedScore(q, 'domain', 100, 0, 5 * DAY)).toBeCloseTo(50);
  });
});
