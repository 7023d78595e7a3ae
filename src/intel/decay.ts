/**
 * Expiry and decay. An indicator's score falls polynomially from its confidence to zero over a
 * per-type lifetime, as MISP's decaying model and OpenCTI do it:
 *
 *   score(t) = confidence · (1 − (t / lifetime)^(1 / speed)),  t = now − lastSeen
 *
 * and it stops matching once the score is below the threshold. Solving for t gives the moment it
 * stops, so the matcher only compares one number per hit:
 *
 *   t* = lifetime · (1 − threshold / confidence)^speed
 *
 * lastSeen moves only when a source reports a newer sighting (see IntelStore.replaceSource), so
 * re-listing an unchanged indicator does not reset its decay.
 */
import type { IndicatorType } from '../model/indicator.ts';

export interface DecayPolicy {
  /** Score (0–100) below which an indicator stops matching. */
  threshold: number;
  speed: number;
  /** Seconds; 0 = never decays. */
  lifetimes: Record<IndicatorType, number>;
}

const DAY = 86_400;

/** Addresses change hands fast, names slower, file hashes never stop being that file. */
export const DEFAULT_LIFETIMES: Record<IndicatorType, number> = {
  domain: 180 * DAY,
  ip: 30 * DAY,
  cidr: 90 * DAY,
  'ip:port': 30 * DAY,
  url: 60 * DAY,
  md5: 0,
  sha1: 0,
  sha256: 0,
};

export function decayPolicy(cfg: { threshold: number; speed: number; lifetimes: Partial<Record<IndicatorType, number | undefined>> }): DecayPolicy {
  const lifetimes = { ...DEFAULT_LIFETIMES };
  for (const [k, v] of Object.entries(cfg.lifetimes)) if (v !== undefined) lifetimes[k as IndicatorType] = v;
  return { threshold: cfg.threshold, speed: cfg.speed, lifetimes };
}

/** The current score (0–100) of an indicator. */
export function decayedScore(p: DecayPolicy, type: IndicatorType, confidence: number, lastSeen: number, now: number): number {
  const lifetime = p.lifetimes[type];
  if (lifetime <= 0) return confidence;
  const age = Math.max(0, now - lastSeen);
  if (age >= lifetime) return 0;
  return confidence * (1 - Math.pow(age / lifetime, 1 / p.speed));
}

/**
 * Epoch seconds after which the indicator no longer matches (0 = never): the earlier of its hard
 * valid-until and the moment its decayed score crosses the threshold.
 */
export function expiresAt(p: DecayPolicy, type: IndicatorType, confidence: number, lastSeen: number, validUntil: number, decays = true): number {
  let decayEnd = 0;
  const lifetime = p.lifetimes[type];
  if (decays && lifetime > 0) {
    decayEnd = confidence < p.threshold ? lastSeen : lastSeen + lifetime * Math.pow(1 - p.threshold / Math.max(confidence, 1e-9), p.speed);
  }
  if (validUntil > 0 && (decayEnd === 0 || validUntil < decayEnd)) return validUntil;
  return decayEnd;
}
