/**
 * Stored policies + the config file's `dns.policy` → the `dns.policy` the gateway takes (global +
 * per unit). Pure: the same inputs give the same output, so every gateway compiles the same thing.
 *
 * Rules:
 * - **Same scope, stored over file, field by field.** For `global` and each `unit:<id>`, a field of
 *   the newest stored document that is set replaces the config file's field: `categories`, `allow`
 *   and `deny` are set when not empty, `defaultAction` and `blockAction` when present. A cleared
 *   scope (empty document) therefore falls back to the config file.
 * - **Groups.** A `group:<name>` document applies to each unit of the group, below that unit's own
 *   document: for one unit the order is unit > its groups (by name) > parent units (each with its
 *   own groups) > global. Groups are folded into the unit's compiled entry, so the gateway's
 *   nearest-first lookup up the tree keeps working unchanged. A document of a group that no longer
 *   exists is ignored.
 * - **Across scopes**, as the gateway resolves them: the nearest scope that sets a category, the
 *   default action or the block action wins; allow and deny lists add up (a name denied anywhere up
 *   the chain is denied, an allowed one is allowed).
 */
import type { DnsConfig } from '../config/index.ts';
import type { BlockAction, CategoryAction, PolicyGroup, PolicyScope, PolicyVersion } from '../model/policy.ts';
import type { EffectivePolicy, Origin } from '../model/policy.ts';

export type { EffectivePolicy, Origin };

/** The `dns.policy` shape (config file in, gateway out). */
export type DnsPolicy = DnsConfig['policy'];
type FilePolicy = DnsPolicy['units'][string];


interface Field<T> {
  value: T;
  from: Origin;
}

/** One scope's settings after stored-over-file, each with its origin. */
interface Layer {
  scope: PolicyScope;
  categories?: Field<Record<string, CategoryAction>>;
  defaultAction?: Field<CategoryAction>;
  allow?: Field<readonly string[]>;
  deny?: Field<readonly string[]>;
  blockAction?: Field<BlockAction>;
}

function layer(scope: PolicyScope, file: FilePolicy | undefined, stored: PolicyVersion | undefined): Layer {
  const out: Layer = { scope };
  const f: Origin = { scope, version: null };
  const s: Origin | null = stored === undefined ? null : { scope, version: stored.version };
  const d = stored?.document;
  if (d !== undefined && Object.keys(d.categories).length > 0) out.categories = { value: d.categories, from: s! };
  else if (file !== undefined && Object.keys(file.categories).length > 0) out.categories = { value: file.categories, from: f };
  if (d?.defaultAction !== undefined) out.defaultAction = { value: d.defaultAction, from: s! };
  else if (file?.default !== undefined) out.defaultAction = { value: file.default, from: f };
  if (d !== undefined && d.allow.length > 0) out.allow = { value: d.allow, from: s! };
  else if (file !== undefined && file.allow.length > 0) out.allow = { value: file.allow, from: f };
  if (d !== undefined && d.deny.length > 0) out.deny = { value: d.deny, from: s! };
  else if (file !== undefined && file.deny.length > 0) out.deny = { value: file.deny, from: f };
  if (d?.blockAction !== undefined) out.blockAction = { value: d.blockAction, from: s! };
  else if (file?.blockAction !== undefined) out.blockAction = { value: file.blockAction, from: f };
  return out;
}

/** The layers of stored and file policy, by scope, ready to be stacked for any unit. */
class Layers {
  private readonly byScope = new Map<PolicyScope, Layer>();
  /** Unit id → its groups' scopes, by group name. */
  private readonly groupsOf = new Map<string, PolicyScope[]>();
  readonly global: Layer;

  constructor(readonly base: DnsPolicy, versions: readonly PolicyVersion[], groups: readonly PolicyGroup[]) {
    const stored = new Map<PolicyScope, PolicyVersion>();
    // Newest version per scope (callers pass `current()`, but a history list works too).
    for (const v of versions) if ((stored.get(v.scope)?.version ?? 0) < v.version) stored.set(v.scope, v);
    this.global = layer('global', base, stored.get('global'));
    const units = new Set(Object.keys(base.units));
    for (const scope of stored.keys()) if (scope.startsWith('unit:')) units.add(scope.slice(5));
    for (const id of units) this.byScope.set(`unit:${id}`, layer(`unit:${id}`, base.units[id], stored.get(`unit:${id}`)));
    for (const g of [...groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const scope = `group:${g.name}`;
      this.byScope.set(scope, layer(scope, undefined, stored.get(scope)));
      for (const u of new Set(g.units)) {
        const list = this.groupsOf.get(u) ?? [];
        list.push(scope);
        this.groupsOf.set(u, list);
      }
    }
  }

  /** Units that have a policy of their own or are in a group. */
  units(): string[] {
    const out = new Set<string>();
    for (const scope of this.byScope.keys()) if (scope.startsWith('unit:')) out.add(scope.slice(5));
    for (const u of this.groupsOf.keys()) out.add(u);
    return [...out].sort();
  }

  /** The unit's own layer, then its groups' (by name). */
  forUnit(unit: string): Layer[] {
    const own = this.byScope.get(`unit:${unit}`);
    const groups = (this.groupsOf.get(unit) ?? []).map((s) => this.byScope.get(s)!);
    return own === undefined ? groups : [own, ...groups];
  }
}

function isEmpty(p: FilePolicy): boolean {
  return p.allow.length === 0 && p.deny.length === 0 && Object.keys(p.categories).length === 0 && p.default === undefined && p.blockAction === undefined;
}

/** Layers nearest first → one policy entry, as the gateway would resolve them in that order. */
function stack(layers: readonly Layer[]): FilePolicy {
  const categories: Record<string, CategoryAction> = {};
  const allow = new Set<string>();
  const deny = new Set<string>();
  let def: CategoryAction | undefined;
  let block: BlockAction | undefined;
  for (const l of layers) {
    for (const [c, a] of Object.entries(l.categories?.value ?? {})) if (!Object.hasOwn(categories, c)) categories[c] = a;
    for (const n of l.allow?.value ?? []) allow.add(n);
    for (const n of l.deny?.value ?? []) deny.add(n);
    def ??= l.defaultAction?.value;
    block ??= l.blockAction?.value;
  }
  return {
    allow: [...allow], deny: [...deny], categories,
    ...(def === undefined ? {} : { default: def }),
    ...(block === undefined ? {} : { blockAction: block }),
  };
}

/**
 * The `dns.policy` the gateway takes: `base` (the config file's) with the stored documents and the
 * groups applied by the rules above. `versions` is the newest version of each scope.
 */
export function compilePolicy(base: DnsPolicy, versions: readonly PolicyVersion[], groups: readonly PolicyGroup[]): DnsPolicy {
  const layers = new Layers(base, versions, groups);
  const units: Record<string, FilePolicy> = {};
  for (const u of layers.units()) {
    const p = stack(layers.forUnit(u));
    if (!isEmpty(p)) units[u] = p;
  }
  return { ...stack([layers.global]), units };
}

/**
 * What `unit` gets, given its lineage (itself, then its ancestors, nearest first) — for the
 * console and `policy effective`. The same stacking as compilePolicy, keeping origins.
 */
export function effectivePolicy(base: DnsPolicy, versions: readonly PolicyVersion[], groups: readonly PolicyGroup[], unit: string, lineage: readonly string[]): EffectivePolicy {
  const layers = new Layers(base, versions, groups);
  const chain = [...(lineage.length === 0 ? [unit] : lineage).flatMap((u) => layers.forUnit(u)), layers.global];
  const out: EffectivePolicy = { unit, scopes: chain.map((l) => l.scope), categories: {}, defaultAction: { action: 'block', from: null }, allow: [], deny: [], blockAction: null };
  const allow = new Set<string>();
  const deny = new Set<string>();
  let def: EffectivePolicy['defaultAction'] | null = null;
  for (const l of chain) {
    if (l.categories !== undefined) {
      for (const [c, a] of Object.entries(l.categories.value)) if (!Object.hasOwn(out.categories, c)) out.categories[c] = { action: a, from: l.categories.from };
    }
    for (const [list, seen, into] of [[l.allow, allow, out.allow], [l.deny, deny, out.deny]] as const) {
      for (const n of list?.value ?? []) {
        if (seen.has(n)) continue;
        seen.add(n);
        into.push({ name: n, from: list!.from });
      }
    }
    if (def === null && l.defaultAction !== undefined) def = { action: l.defaultAction.value, from: l.defaultAction.from };
    if (out.blockAction === null && l.blockAction !== undefined) out.blockAction = { action: l.blockAction.value, from: l.blockAction.from };
  }
  if (def !== null) out.defaultAction = def;
  return out;
}
