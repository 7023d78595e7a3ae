/**
 * Stage 3, policy: what this client's unit has decided. Per-unit deny lists block a name (and
 * every name under it) outright; per-unit allow lists let it through whatever intelligence says.
 * The unit's category actions (block / monitor / allow) are resolved here — the nearest unit up
 * the tree that sets one wins, then the global default — and handed to the intel stage on the
 * query, so intelligence is consulted once and policy decides what a match means. The block
 * action (how a block is answered) is resolved the same way, nearest first, and carried on the
 * query's Effective: the block answer of this stage and of the intel stage both follow it.
 */
import type { BlockAction, CategoryAction, Effective, MaybeAnswer, Next, Query, Stage } from './types.ts';
import { blockAnswer, type BlockOptions } from './block.ts';

export interface UnitPolicy {
  allow?: readonly string[];
  deny?: readonly string[];
  categories?: Readonly<Record<string, CategoryAction>>;
  /** Action for categories not listed. */
  defaultAction?: CategoryAction;
  /** How a block is answered for this unit and those below it; unset: inherit (finally dns.block.action). */
  blockAction?: BlockAction;
}

export interface PolicyOptions {
  global: UnitPolicy;
  units: Readonly<Record<string, UnitPolicy>>;
  /** The unit and its ancestors, nearest first. */
  lineage: (unitId: string) => readonly string[];
  block: BlockOptions;
}

/** The name, or the nearest parent of it, found in the set; null if none. */
export function listed(set: ReadonlySet<string>, name: string): string | null {
  if (set.size === 0) return null;
  for (let s = name; ; ) {
    if (set.has(s)) return s;
    const dot = s.indexOf('.');
    if (dot < 0) return null;
    s = s.slice(dot + 1);
  }
}

export class PolicyStage implements Stage {
  readonly name = 'policy';
  private readonly cache = new Map<string, Effective>();

  constructor(private readonly opts: PolicyOptions) {}

  describe(): string {
    const n = Object.keys(this.opts.units).length;
    return `block action ${this.opts.block.action}; default ${this.opts.global.defaultAction ?? 'block'}; ${n} unit polic${n === 1 ? 'y' : 'ies'}`;
  }

  effective(unit: string | null): Effective {
    const key = unit ?? '';
    let e = this.cache.get(key);
    if (e !== undefined) return e;
    const chain = [...(unit === null ? [] : this.opts.lineage(unit).map((u) => this.opts.units[u]).filter((p) => p !== undefined)), this.opts.global];
    const allow = new Set<string>();
    const deny = new Set<string>();
    for (const p of chain) {
      for (const n of p.allow ?? []) allow.add(n.toLowerCase().replace(/\.$/, ''));
      for (const n of p.deny ?? []) deny.add(n.toLowerCase().replace(/\.$/, ''));
    }
    const action = (category: string): CategoryAction => {
      for (const p of chain) {
        const a = p.categories?.[category];
        if (a !== undefined) return a;
      }
      for (const p of chain) if (p.defaultAction !== undefined) return p.defaultAction;
      return 'block';
    };
    const blockAction = chain.find((p) => p.blockAction !== undefined)?.blockAction;
    e = { allow, deny, action, ...(blockAction === undefined ? {} : { blockAction }) };
    this.cache.set(key, e);
    return e;
  }

  resolve(q: Query, next: Next): MaybeAnswer {
    const e = this.effective(q.unit);
    q.policy = e;
    const denied = listed(e.deny, q.name);
    if (denied !== null) {
      return blockAnswer(q, this.opts.block, { outcome: 'blocked', reason: 'policy:deny-list', indicator: denied, text: `deny list: ${denied}`, filtered: true });
    }
    q.allowListed = listed(e.allow, q.name) !== null;
    return next(q);
  }
}
