/** The gateway's view of the intelligence engine and the organisation (see GatewayDeps). */
import type { IntelEngine } from '../intel/index.ts';
import type { OrgService } from '../org/index.ts';
import type { ThreatHit, ThreatLookup } from './chain/intel.ts';
import type { GatewayDeps } from './gateway.ts';

/** Lookups go to the engine's current matcher (swapped atomically on reload: no lost query). */
export function intelLookup(engine: IntelEngine): ThreatLookup {
  const hit = (id: number): ThreatHit | null => {
    if (id < 0) return null;
    const e = engine.matcher.entry(id);
    return { value: e.value, category: e.category, source: e.source };
  };
  return {
    domain: (name) => hit(engine.matchDomain(name, engine.now())),
    ip: (address) => hit(engine.matchIp(address, engine.now())),
    size: () => engine.matcher.size,
    generation: () => engine.generation,
  };
}

/** Units from the org service, which swaps its tree atomically on import. */
export function orgLookup(org: OrgService): GatewayDeps['org'] {
  return {
    resolve: (ip, site) => org.resolve(ip, site ?? ''),
    lineage: (unitId) => {
      const tree = org.tree();
      if (tree.get(unitId) === undefined) return [];
      return [unitId, ...tree.ancestors(unitId).map((u) => u.id).reverse()];
    },
  };
}
