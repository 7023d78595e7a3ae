/**
 * What the services need of the running process, handed in by the composition root
 * (`src/cli/app.ts`). Interfaces and domain objects only: no HTTP, no CLI.
 */
import type { Store } from '../store/index.ts';
import type { OrgService } from '../org/index.ts';
import type { FeedManager, IntelEngine } from '../intel/index.ts';
import type { IncidentEngine } from '../incidents/index.ts';
import type { AuditLog, AuthService } from '../auth/index.ts';
import type { PolicyService } from '../policy/index.ts';
import type { FeedConfig } from '../config/index.ts';
import type { LiveHub } from './live.ts';
import type { HealthLine } from '../reports/index.ts';

export type { HealthLine };

export interface SystemInfo {
  version: string;
  startedAt: number;
  store: string;
  dns: string[];
  indicators: number;
  intelGeneration: number;
  units: number;
  writer: unknown;
}

export interface ServiceDeps {
  store: Store;
  org: OrgService;
  engine: IntelEngine;
  feeds: FeedManager;
  feedConfigs: readonly FeedConfig[];
  incidents: IncidentEngine;
  auth: AuthService;
  audit: AuditLog;
  policy: PolicyService;
  live: LiveHub;
  /** Sensors of this process and the feeds: the settings page and the daily patrol show them. */
  health(): Promise<HealthLine[]>;
  system(): SystemInfo;
  now(): number;
  /** Time zone for report days (IANA name). */
  timeZone: string;
}
