/** Sensors' health, system status and the audit log, for the settings pages. */
import type { AuditEntry } from '../model/auth.ts';
import type { AuditQuery } from '../store/index.ts';
import { need, type Access } from './access.ts';
import type { HealthLine, ServiceDeps, SystemInfo } from './deps.ts';

export class SystemService {
  constructor(private readonly d: ServiceDeps) {}

  sensors(a: Access): Promise<HealthLine[]> {
    need(a, 'system:read');
    return this.d.health();
  }

  info(a: Access): SystemInfo {
    need(a, 'system:read');
    return this.d.system();
  }

  audit(a: Access, q: AuditQuery): Promise<AuditEntry[]> {
    need(a, 'audit:read');
    return this.d.audit.list(a.principal, q);
  }
}
