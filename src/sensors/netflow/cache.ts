/**
 * Per-exporter decoder state: templates, sampling rates learned from options records, and data
 * sets waiting for their template. Keyed by exporter address, then by observation domain (IPFIX)
 * or source id (v9, RFC 3954 §5.1) and template id: two exporters, or two line cards of one
 * exporter, may use the same template id for different layouts.
 */
import type { Template } from './template.ts';

export interface TemplateCacheOptions {
  /** A template not re-announced for this long is forgotten (v9/IPFIX exporters resend them periodically). Default 30 min. */
  templateTimeoutMs?: number;
  /** Data sets held per exporter while their template is unknown. Default 1000. */
  maxPendingSets?: number;
  /** Bytes of held data sets per exporter (a bound when sets are large). Default 2 MiB. */
  maxPendingBytes?: number;
  /** Exporters remembered; past it, one that never sent a template is forgotten first (spoofed garbage). Default 10,000. */
  maxExporters?: number;
  /** How long a held data set waits for its template before it counts as "no template". Default 60 s. */
  pendingMs?: number;
  /** Configured sampling rate per exporter address; overrides what the exporter says. */
  sampling?: Record<string, number>;
  /**
   * Read v9/IPFIX post counters (IE 23/24, OUT_BYTES/OUT_PKTS) as the reply direction, as some
   * NAT/firewall exporters use them. Default false: they stand in for IE 1/2 only when those are absent.
   */
  postAsReverse?: boolean;
}

/** The time base of the packet a data set came in: export time, and (v9) the exporter's boot time. */
export interface TimeBase {
  exportMs: number;
  /** ms epoch of sysUptime 0; NaN when the header has no sysUptime (IPFIX). */
  bootMs: number;
}

export interface PendingSet {
  domain: number;
  setId: number;
  body: Uint8Array;
  time: TimeBase;
  at: number;
}

export class ExporterState {
  readonly templates = new Map<number, Template>();
  /** Sampling rate per domain from options data records. */
  readonly sampling = new Map<number, number>();
  /** Oldest first. */
  pending: PendingSet[] = [];
  pendingBytes = 0;
  constructor(readonly address: string, readonly override: number) {}
}

/** Domain (uint32) and template id (uint16) in one number key: < 2^48, exact. */
export const tkey = (domain: number, id: number): number => domain * 65536 + id;

export class TemplateCache {
  readonly templateTimeoutMs: number;
  readonly maxPendingSets: number;
  readonly pendingMs: number;
  readonly maxPendingBytes: number;
  readonly maxExporters: number;
  readonly postAsReverse: boolean;
  private readonly overrides: Record<string, number>;
  private readonly exporters = new Map<string, ExporterState>();

  constructor(opts: TemplateCacheOptions = {}) {
    this.templateTimeoutMs = opts.templateTimeoutMs ?? 30 * 60_000;
    this.maxPendingSets = opts.maxPendingSets ?? 1000;
    this.pendingMs = opts.pendingMs ?? 60_000;
    this.maxPendingBytes = opts.maxPendingBytes ?? 2 << 20;
    this.maxExporters = opts.maxExporters ?? 10_000;
    this.postAsReverse = opts.postAsReverse ?? false;
    this.overrides = { ...(opts.sampling ?? {}) };
  }

  exporter(address: string): ExporterState {
    let s = this.exporters.get(address);
    if (!s) {
      if (this.exporters.size >= this.maxExporters) this.forgetOne();
      const o = this.overrides[address];
      s = new ExporterState(address, o !== undefined && o >= 1 ? o : 0);
      this.exporters.set(address, s);
    }
    return s;
  }

  private forgetOne(): void {
    let victim: string | undefined;
    for (const [k, e] of this.exporters) {
      victim ??= k;
      if (e.templates.size === 0) {
        victim = k;
        break;
      }
    }
    if (victim !== undefined) this.exporters.delete(victim);
  }

  /** The live template, or undefined when unknown or expired (an expired one is dropped). */
  get(s: ExporterState, domain: number, id: number, now: number): Template | undefined {
    const k = tkey(domain, id);
    const t = s.templates.get(k);
    if (t && now - t.seen > this.templateTimeoutMs) {
      s.templates.delete(k);
      return undefined;
    }
    return t;
  }

  /** A (re)definition replaces any template with the same id (RFC 7011 §8). */
  set(s: ExporterState, domain: number, t: Template): void {
    s.templates.set(tkey(domain, t.id), t);
  }

  withdraw(s: ExporterState, domain: number, id: number): void {
    s.templates.delete(tkey(domain, id));
  }

  /** Hold a data set (copied: the packet buffer is reused). Returns the sets pushed out of a full hold. */
  hold(s: ExporterState, p: PendingSet): PendingSet[] {
    s.pending.push(p);
    s.pendingBytes += p.body.length;
    const dropped: PendingSet[] = [];
    while (s.pending.length > this.maxPendingSets || (s.pendingBytes > this.maxPendingBytes && s.pending.length > 0)) {
      const d = s.pending.shift()!;
      s.pendingBytes -= d.body.length;
      dropped.push(d);
    }
    return dropped;
  }

  /** Held sets now decodable with template (domain, id), removed from the hold. */
  take(s: ExporterState, domain: number, id: number): PendingSet[] {
    if (s.pending.length === 0) return [];
    const out: PendingSet[] = [];
    const keep: PendingSet[] = [];
    for (const p of s.pending) (p.domain === domain && p.setId === id ? out : keep).push(p);
    if (out.length) {
      s.pending = keep;
      for (const p of out) s.pendingBytes -= p.body.length;
    }
    return out;
  }

  /** Held sets that waited too long (removed). */
  expired(s: ExporterState, now: number): PendingSet[] {
    let n = 0;
    while (n < s.pending.length && now - s.pending[n]!.at > this.pendingMs) n++;
    if (n === 0) return [];
    const out = s.pending.splice(0, n);
    for (const p of out) s.pendingBytes -= p.body.length;
    return out;
  }

  /** Forget expired templates everywhere; returns held sets that expired (each a "no template" error). */
  sweep(now: number): PendingSet[] {
    const dropped: PendingSet[] = [];
    for (const s of this.exporters.values()) {
      for (const [k, t] of s.templates) if (now - t.seen > this.templateTimeoutMs) s.templates.delete(k);
      dropped.push(...this.expired(s, now));
    }
    return dropped;
  }

  stats(): { exporters: number; templates: number; pending: number } {
    let templates = 0;
    let pending = 0;
    for (const s of this.exporters.values()) {
      templates += s.templates.size;
      pending += s.pending.length;
    }
    return { exporters: this.exporters.size, templates, pending };
  }
}
