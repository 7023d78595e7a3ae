/**
 * Front door of the services layer: the domain functions the API (and any other front end)
 * calls. Each takes an `Access` — the acting principal and the units it may see — and checks
 * the role and the unit subtree itself, so no caller can forget to.
 */
import type { Principal } from '../model/auth.ts';
import { accessOf, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';
import { IncidentService } from './incidents.ts';
import { IntelService } from './intel.ts';
import { NetworkService } from './network.ts';
import { PolicyConsole } from './policies.ts';
import { ReportService } from './reports.ts';
import { SystemService } from './system.ts';

export { accessOf, actorOf, canSeeUnit, need, unitFilter, type Access } from './access.ts';
export { LiveHub, type LiveBlock, type LiveMessage, type LiveStats } from './live.ts';
export type { HealthLine, ServiceDeps, SystemInfo } from './deps.ts';
export type { IncidentListInput, IncidentMove } from './incidents.ts';
export type { Overview, QueryPage, QuerySearch, Series, UnitNode, UnitStatus } from './network.ts';
export type { FeedView } from './intel.ts';

export class Services {
  readonly network: NetworkService;
  readonly incidents: IncidentService;
  readonly intel: IntelService;
  readonly policies: PolicyConsole;
  readonly reports: ReportService;
  readonly system: SystemService;

  constructor(readonly deps: ServiceDeps) {
    this.network = new NetworkService(deps);
    this.incidents = new IncidentService(deps);
    this.intel = new IntelService(deps);
    this.policies = new PolicyConsole(deps);
    this.reports = new ReportService(deps);
    this.system = new SystemService(deps);
  }

  get auth(): ServiceDeps['auth'] {
    return this.deps.auth;
  }

  get live(): ServiceDeps['live'] {
    return this.deps.live;
  }

  /** What a principal may see, from the current unit tree. */
  access(p: Principal): Access {
    return accessOf(p, this.deps.org.tree());
  }
}
