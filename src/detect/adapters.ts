/** The intelligence engine as detectors ask it (ThreatView), allowlist applied. */
import type { IntelEngine } from '../intel/index.ts';
import type { ThreatHit, ThreatView } from './types.ts';

export function threatView(engine: IntelEngine): ThreatView {
  const hit = (id: number, allowed: () => boolean): ThreatHit | null => {
    if (id < 0 || allowed()) return null;
    const e = engine.matcher.entry(id);
    return { value: e.value, category: e.category, family: e.family, source: e.source, confidence: e.confidence };
  };
  const allow = (): typeof engine.allowMatcher => engine.allowMatcher;
  return {
    domain: (name) => hit(engine.matchDomain(name, engine.now()), () => false),
    ip: (a) => hit(engine.matchIp(a, engine.now()), () => false),
    ipPort: (a, port) => hit(engine.matcher.matchIpPort(a, port, engine.now()), () => allow().size > 0 && allow().matchIp(a, 0) >= 0),
    url: (u) => hit(engine.matcher.matchUrl(u, engine.now()), () => allow().size > 0 && allow().matchUrl(u, 0) >= 0),
    hash: (h) => hit(engine.matcher.matchHash(h, engine.now()), () => allow().size > 0 && allow().matchHash(h, 0) >= 0),
  };
}
