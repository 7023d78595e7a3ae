/**
 * PolicyService: the one way policies change. It validates documents and scopes, appends versions
 * (a rollback or a clear is a new version too, so history is never rewritten), keeps the groups,
 * writes each change to the audit log it is handed, and tells listeners in this process at once
 * (the gateway's applier; other processes see the store's revision move on their next poll).
 */
import { MinewardenError } from '../core/errors.ts';
import type { GatewayStatus, PolicyDocument, PolicyGroup, PolicyScope, PolicyVersion } from '../model/policy.ts';
import type { PolicyStore } from '../store/index.ts';
import { effectivePolicy, type DnsPolicy, type EffectivePolicy } from './compile.ts';
import { GROUP_NAME, formatScope, parseDocument, parseScope } from './document.ts';

export interface PolicyAuditEntry {
  actor: string;
  /** `policy.update`, `policy.rollback`, `policy.clear`, `policy-group.update`, `policy-group.delete`. */
  action: string;
  /** The scope, or `group:<name>` for a group change. */
  target: string;
  before: unknown;
  after: unknown;
}

export interface PolicyServiceDeps {
  store: PolicyStore;
  unitExists(id: string): boolean;
  audit?(e: PolicyAuditEntry): Promise<void>;
  now?(): number;
  /** The config file's `dns.policy`, for `effective` (default: nothing set). */
  base?: DnsPolicy;
  /** A unit, then its ancestors, nearest first: `effective`'s default lineage (default: the unit alone). */
  lineage?(unit: string): readonly string[];
}

/** What changed, as told to onChange listeners. */
export interface PolicyChange {
  kind: 'policy' | 'group';
  target: string;
  /** The version made, for a policy change. */
  version?: PolicyVersion;
}

export type PolicyListener = (change: PolicyChange) => void;

const NO_BASE: DnsPolicy = { allow: [], deny: [], categories: {}, units: {} };

export class PolicyService {
  private readonly listeners = new Set<PolicyListener>();
  private readonly now: () => number;

  constructor(private readonly deps: PolicyServiceDeps) {
    this.now = () => deps.now?.() ?? Date.now();
  }

  /** The newest version of every scope that has one. */
  current(): Promise<PolicyVersion[]> {
    return this.deps.store.current();
  }

  /** Every version of a scope, newest first. */
  history(scope: PolicyScope, limit?: number): Promise<PolicyVersion[]> {
    return this.deps.store.history(formatScope(parseScope(scope)), limit);
  }

  /** The newest version of one scope, or null. */
  async get(scope: PolicyScope): Promise<PolicyVersion | null> {
    const [v] = await this.deps.store.history(formatScope(parseScope(scope)), 1);
    return v ?? null;
  }

  /** Validates the document (any shape in: YAML, JSON) and the scope, and appends a version. */
  async set(scope: PolicyScope, document: unknown, actor: string, comment = ''): Promise<PolicyVersion> {
    const s = await this.checkScope(scope);
    const doc = parseDocument(document);
    return this.append(s, doc, actor, comment, null, 'policy.update');
  }

  /** Appends a new version with the document of `version` (history is never rewritten). */
  async rollback(scope: PolicyScope, version: number, actor: string, comment?: string): Promise<PolicyVersion> {
    const s = formatScope(parseScope(scope));
    if (!Number.isInteger(version) || version <= 0) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${String(version)}" is not a version number`);
    const old = await this.deps.store.getVersion(s, version);
    if (old === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `${s} has no version ${version}`);
    return this.append(s, old.document, actor, comment ?? `rollback to version ${version}`, version, 'policy.rollback');
  }

  /** Appends an empty document: the scope falls back to the config file (and to the scopes above). */
  async clear(scope: PolicyScope, actor: string, comment = ''): Promise<PolicyVersion> {
    const s = formatScope(parseScope(scope));
    if ((await this.get(s)) === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `${s} has no stored policy to clear`);
    return this.append(s, { categories: {}, allow: [], deny: [] }, actor, comment, null, 'policy.clear');
  }

  listGroups(): Promise<PolicyGroup[]> {
    return this.deps.store.listGroups();
  }

  /** Creates or replaces a group; every unit must exist. */
  async putGroup(name: string, g: { description?: string; units: readonly string[] }, actor: string): Promise<PolicyGroup> {
    if (!GROUP_NAME.test(name)) throw new MinewardenError('MW_ERR_BAD_INPUT', `"${name}" is not a group name (letters, digits, . _ -, at most 64)`);
    if (!Array.isArray(g.units)) throw new MinewardenError('MW_ERR_BAD_INPUT', 'units must be a list of unit ids');
    const units = [...new Set(g.units.map((u) => String(u).trim()).filter((u) => u !== ''))];
    const missing = units.filter((u) => !this.deps.unitExists(u));
    if (missing.length > 0) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit${missing.length === 1 ? '' : 's'} ${missing.map((u) => `"${u}"`).join(', ')}`);
    const before = (await this.deps.store.listGroups()).find((x) => x.name === name) ?? null;
    const group: PolicyGroup = { name, description: String(g.description ?? before?.description ?? ''), units, updatedAt: this.now() };
    await this.deps.store.putGroup(group);
    await this.changed({ kind: 'group', target: `group:${name}` }, { actor, action: 'policy-group.update', target: `group:${name}`, before, after: group });
    return group;
  }

  /**
   * Deletes a group (its stored documents stay in history but no longer apply); false if there
   * was no such group.
   */
  async deleteGroup(name: string, actor: string): Promise<boolean> {
    const before = (await this.deps.store.listGroups()).find((x) => x.name === name) ?? null;
    if (before === null || !(await this.deps.store.deleteGroup(name))) return false;
    await this.changed({ kind: 'group', target: `group:${name}` }, { actor, action: 'policy-group.delete', target: `group:${name}`, before, after: null });
    return true;
  }

  /** Changes with every version and group change (what gateways poll). */
  revision(): Promise<number> {
    return this.deps.store.revision();
  }

  /** Gateways seen in the last `withinMs` (default: 5 minutes). */
  gateways(withinMs = 5 * 60_000): Promise<GatewayStatus[]> {
    return this.deps.store.gateways(this.now() - withinMs);
  }

  /**
   * The merged policy a unit's clients get, each setting with its scope; `lineage` is the unit
   * then its ancestors (default: the deps' lineage).
   */
  async effective(unit: string, lineage?: readonly string[]): Promise<EffectivePolicy> {
    const [versions, groups] = await Promise.all([this.deps.store.current(), this.deps.store.listGroups()]);
    return effectivePolicy(this.deps.base ?? NO_BASE, versions, groups, unit, lineage ?? this.deps.lineage?.(unit) ?? [unit]);
  }

  /** Called after every change made through this service; returns the unsubscribe. */
  onChange(listener: PolicyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async checkScope(scope: PolicyScope): Promise<PolicyScope> {
    const s = parseScope(scope);
    if (s.kind === 'unit' && !this.deps.unitExists(s.id)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${s.id}"`);
    if (s.kind === 'group' && !(await this.deps.store.listGroups()).some((g) => g.name === s.name)) {
      throw new MinewardenError('MW_ERR_NOT_FOUND', `no policy group "${s.name}" (create it with policy group set)`);
    }
    return formatScope(s);
  }

  private async append(scope: PolicyScope, document: PolicyDocument, actor: string, comment: string, rolledBackFrom: number | null, action: string): Promise<PolicyVersion> {
    const before = await this.get(scope);
    const v = await this.deps.store.append({ scope, document, author: actor, createdAt: this.now(), comment: String(comment), rolledBackFrom });
    await this.changed({ kind: 'policy', target: scope, version: v }, { actor, action, target: scope, before: before?.document ?? null, after: document });
    return v;
  }

  /** Listeners first (the change is made; a listener's failure must not undo it), then the audit log. */
  private async changed(change: PolicyChange, entry: PolicyAuditEntry): Promise<void> {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // a listener's own failure is its business; the change stands
      }
    }
    await this.deps.audit?.(entry);
  }
}
