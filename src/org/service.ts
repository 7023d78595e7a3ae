/**
 * The organisation as the running system sees it: the current tree and its address resolver,
 * loaded from the store and replaced as a whole. Readers take `tree()` / `resolve()` and always
 * see one consistent pair; a replace validates first, writes, then swaps both references.
 */
import type { Unit } from '../model/org.ts';
import type { OrgStore } from '../store/index.ts';
import { AddressResolver, type Resolved } from './resolve.ts';
import { UnitTree, describeProblem, checkUnits } from './tree.ts';

/** What `explain` says about an address: the unit, how it matched, and its path from the root. */
export interface UnitMatch extends Resolved {
  unit: Unit;
  /** internal: a CIDR of the unit at the asked site; egress: one of its public NAT addresses. */
  via: 'internal' | 'egress';
  /** From the root down to the unit. */
  path: Unit[];
}

export interface ReplaceSummary {
  units: number;
  roots: number;
  /** Units stored before the replace. */
  previous: number;
}

interface Current {
  readonly tree: UnitTree;
  readonly resolver: AddressResolver;
}

function current(tree: UnitTree): Current {
  return Object.freeze({ tree, resolver: new AddressResolver(tree) });
}

export class OrgService {
  private now: Current;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: OrgStore,
    tree: UnitTree,
    /** Why the stored units could not be used (the service then starts with an empty tree). */
    readonly loadError: string | null,
  ) {
    this.now = current(tree);
  }

  /**
   * Reads the stored units. A stored set that no longer validates (rules tightened in a later
   * release) leaves the service empty with `loadError` set, rather than stopping every command,
   * including the `units import` that would fix it.
   */
  static async load(store: OrgStore): Promise<OrgService> {
    const units = await store.listUnits();
    const { problems } = checkUnits(units);
    if (problems.length === 0) return new OrgService(store, UnitTree.build(units), null);
    const lines = problems.map((p) => `  ${describeProblem(p)}`).join('\n');
    return new OrgService(store, UnitTree.build([]), `the stored organisation tree is invalid; import it again:\n${lines}`);
  }

  tree(): UnitTree {
    return this.now.tree;
  }

  /** The hot path (per event at ingest): longest prefix at the site, then egress; null if none. */
  resolve(ip: string, site = ''): Resolved | null {
    return this.now.resolver.resolve(ip, site);
  }

  /** `resolve` with the unit, how it matched and its path: for people (CLI, console). */
  explain(ip: string, site = ''): UnitMatch | null {
    const { tree, resolver } = this.now;
    const hit = resolver.resolve(ip, site);
    if (hit === null) return null;
    const unit = tree.require(hit.unitId);
    // Internal prefixes of the site are tried before egress, so a hit on one of the unit's own
    // CIDRs at this site is the internal match.
    const via = unit.site === site && unit.cidrs.includes(hit.cidr) ? 'internal' : 'egress';
    return { ...hit, unit, via, path: tree.path(unit.id) };
  }

  /**
   * Validates the whole set (throws MW_ERR_BAD_INPUT listing every problem, having changed
   * nothing), stores it in one transaction, then swaps the tree and resolver. Replaces are
   * serialised so the tree in memory is always the one stored last.
   */
  replace(units: readonly Unit[]): Promise<ReplaceSummary> {
    const run = this.writes.then(async () => {
      const tree = UnitTree.build(units);
      const previous = this.now.tree.size;
      await this.store.replaceUnits(tree.units());
      this.now = current(tree);
      return { units: tree.size, roots: tree.roots().length, previous };
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}
