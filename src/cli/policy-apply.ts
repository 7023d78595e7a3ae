/**
 * Applies centrally issued policies to this process's running gateway. At start, and whenever the
 * store's policy revision moves (checked every `api.policyPoll` seconds, and at once when a change
 * is made through this process's PolicyService), it compiles the stored documents over the config
 * file's `dns.policy` and reloads the gateway with the result (`Gateway.reload`: a chain swap with
 * no lost query; DNS worker threads get the same config). A compile or reload that fails is logged
 * and the previous policy stays. The gateway reports itself (`heartbeat`) on start, after every
 * apply and on every poll, so the console can tell which gateways run the current revision.
 */
import { hostname } from 'node:os';
import type { DnsConfig } from '../config/index.ts';
import type { Logger } from '../core/log.ts';
import { errorMessage } from '../core/errors.ts';
import type { GatewayStatus } from '../model/policy.ts';
import { compilePolicy, type PolicyService } from '../policy/index.ts';
import type { PolicyStore } from '../store/index.ts';

export interface PolicyApplierDeps {
  store: PolicyStore;
  /** Changes made in this process are applied at once rather than on the next poll. */
  service?: Pick<PolicyService, 'onChange'>;
  /** The `dns` config from the file (its `policy` is the base the stored documents go over). */
  dns: DnsConfig;
  gateway: { reload(config: DnsConfig): unknown };
  log: Logger;
  /** Seconds between revision checks (config api.policyPoll). */
  pollSeconds: number;
  now?: () => number;
  /** Defaults: this machine's hostname, and `hostname:pid:start time`. */
  hostname?: string;
  id?: string;
}

export class PolicyApplier {
  private dns: DnsConfig;
  private readonly now: () => number;
  private readonly status: GatewayStatus;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** The check running now, and whether another was asked for meanwhile. */
  private running: Promise<void> | null = null;
  private again = false;
  private force = false;
  private failedRevision: number | null = null;
  private stopped = false;

  private constructor(private readonly deps: PolicyApplierDeps) {
    this.dns = deps.dns;
    this.now = deps.now ?? Date.now;
    const startedAt = this.now();
    const host = deps.hostname ?? hostname();
    this.status = { id: deps.id ?? `${host}:${process.pid}:${startedAt}`, hostname: host, startedAt, lastSeenAt: startedAt, policyRevision: 0, appliedAt: null };
  }

  /** Applies the current policy (a failure is logged; the file's policy then stays), then polls. */
  static async start(deps: PolicyApplierDeps): Promise<PolicyApplier> {
    const a = new PolicyApplier(deps);
    a.force = true;
    await a.check();
    a.unsubscribe = deps.service?.onChange(() => void a.check()) ?? null;
    a.timer = setInterval(() => void a.check(), Math.max(0.05, deps.pollSeconds) * 1000);
    a.timer.unref();
    return a;
  }

  /** What this gateway last reported. */
  gateway(): GatewayStatus {
    return { ...this.status };
  }

  /** A new `dns` config (SIGHUP): the stored policies are applied over its policy, at once. */
  setDns(dns: DnsConfig): Promise<void> {
    this.dns = dns;
    this.force = true;
    return this.check();
  }

  /**
   * Reads the revision; applies when it moved (or when forced), then reports. Calls never overlap:
   * one asked for while another runs runs once after it.
   */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.once();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  private async once(): Promise<void> {
    const { store, log } = this.deps;
    try {
      const revision = await store.revision();
      const force = this.force;
      this.force = false;
      if (force || (revision !== this.status.policyRevision && revision !== this.failedRevision)) {
        try {
          const [versions, groups] = await Promise.all([store.current(), store.listGroups()]);
          const policy = compilePolicy(this.dns.policy, versions, groups);
          this.deps.gateway.reload({ ...this.dns, policy });
          this.status.policyRevision = revision;
          this.status.appliedAt = this.now();
          this.failedRevision = null;
          log.info({ revision, scopes: versions.length, groups: groups.length }, 'policy applied');
        } catch (e) {
          // Logged once per revision; the running policy stays until a later revision applies.
          this.failedRevision = revision;
          log.error(`policy revision ${revision} not applied, the previous policy stays: ${errorMessage(e)}`);
        }
      }
      this.status.lastSeenAt = this.now();
      await store.heartbeat({ ...this.status });
    } catch (e) {
      log.warn(`policy check failed: ${errorMessage(e)}`);
    }
  }
}
