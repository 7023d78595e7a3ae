/**
 * The store's interface for centrally issued DNS policies: every version of every scope's
 * document, the groups of units, and the gateways that apply them. Versions are append-only;
 * `revision()` changes with every new version or group change, so each gateway polls one number.
 */
import type { GatewayStatus, PolicyDocument, PolicyGroup, PolicyScope, PolicyVersion } from '../model/policy.ts';

export interface PolicyStore {
  /** The newest version of every scope that has one (clearing a scope appends an empty document). */
  current(): Promise<PolicyVersion[]>;
  /** Every version of a scope, newest first. */
  history(scope: PolicyScope, limit?: number): Promise<PolicyVersion[]>;
  getVersion(scope: PolicyScope, version: number): Promise<PolicyVersion | null>;
  /**
   * Appends a version (its number is the scope's newest + 1) in one transaction and bumps the
   * revision.
   */
  append(v: { scope: PolicyScope; document: PolicyDocument; author: string; createdAt: number; comment: string; rolledBackFrom: number | null }): Promise<PolicyVersion>;

  listGroups(): Promise<PolicyGroup[]>;
  putGroup(g: PolicyGroup): Promise<void>;
  deleteGroup(name: string): Promise<boolean>;

  /** Changes whenever a version is appended or a group changes. */
  revision(): Promise<number>;

  /** A gateway reports itself (on start, on apply, and every few seconds). */
  heartbeat(g: GatewayStatus): Promise<void>;
  /** Gateways seen since `since` (ms). */
  gateways(since: number): Promise<GatewayStatus[]>;
}
