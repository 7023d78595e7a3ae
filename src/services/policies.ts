/**
 * Policies for the console: anyone reading sees the policies that apply to their units; policy
 * readers and writers see and change every scope. The policy module keeps the versions and the
 * audit trail; this adds who may do it.
 */
import { MinewardenError } from '../core/errors.ts';
import type { GatewayStatus, PolicyDocument, PolicyGroup, PolicyVersion } from '../model/policy.ts';
import { actorOf, canSeeUnit, need, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';

/** Gateways not heard from for this long are not listed. */
const GATEWAY_STALE_MS = 60_000;

export class PolicyConsole {
  constructor(private readonly d: ServiceDeps) {}

  /** The current version of every scope the principal may see. */
  async current(a: Access): Promise<PolicyVersion[]> {
    need(a, 'read');
    const all = await this.d.policy.current();
    if (a.units === null) return all;
    const tree = this.d.org.tree();
    // A unit viewer sees the global policy, those of its units and their ancestors, and groups holding one of its units.
    const onPath = new Set<string>();
    for (const id of a.units) for (const u of tree.path(id)) onPath.add(u.id);
    const groups = new Set((await this.d.policy.listGroups()).filter((g) => g.units.some((u) => canSeeUnit(a, u))).map((g) => g.name));
    return all.filter((v) => v.scope === 'global' || (v.scope.startsWith('unit:') && onPath.has(v.scope.slice(5))) || (v.scope.startsWith('group:') && groups.has(v.scope.slice(6))));
  }

  history(a: Access, scope: string): Promise<PolicyVersion[]> {
    need(a, 'policy:read');
    return this.d.policy.history(scope);
  }

  set(a: Access, scope: string, document: PolicyDocument, comment: string): Promise<PolicyVersion> {
    need(a, 'policy:write');
    return this.d.policy.set(scope, document, actorOf(a), comment);
  }

  rollback(a: Access, scope: string, version: number, comment?: string): Promise<PolicyVersion> {
    need(a, 'policy:write');
    return this.d.policy.rollback(scope, version, actorOf(a), comment);
  }

  effective(a: Access, unit: string): ReturnType<ServiceDeps['policy']['effective']> {
    need(a, 'read');
    if (this.d.org.tree().get(unit) === undefined || !canSeeUnit(a, unit)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${unit}"`);
    return this.d.policy.effective(unit);
  }

  groups(a: Access): Promise<PolicyGroup[]> {
    need(a, 'policy:read');
    return this.d.policy.listGroups();
  }

  putGroup(a: Access, name: string, g: { description: string; units: string[] }): Promise<PolicyGroup> {
    need(a, 'policy:write');
    return this.d.policy.putGroup(name, g, actorOf(a));
  }

  async deleteGroup(a: Access, name: string): Promise<void> {
    need(a, 'policy:write');
    if (!(await this.d.policy.deleteGroup(name, actorOf(a)))) throw new MinewardenError('MW_ERR_NOT_FOUND', `no group "${name}"`);
  }

  async gateways(a: Access): Promise<{ revision: number; gateways: GatewayStatus[] }> {
    need(a, 'policy:read');
    const [revision, gateways] = await Promise.all([this.d.policy.revision(), this.d.store.policy.gateways(this.d.now() - GATEWAY_STALE_MS)]);
    return { revision, gateways };
  }
}
