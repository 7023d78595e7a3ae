/**
 * Threat intelligence for the console: feeds and their status, indicator search, the review list
 * of held-back indicators, the allowlist, and a lookup. Changes are recorded in the audit log.
 */
import { MinewardenError } from '../core/errors.ts';
import type { FeedView } from '../model/indicator.ts';

export type { FeedView };
import { INDICATOR_TYPES, type AllowEntry, type FeedStatus, type IndicatorStatus, type IndicatorType, type StoredIndicator } from '../model/indicator.ts';
import { feedSource, lookup, normalizeValue, type LookupResult } from '../intel/index.ts';
import type { IntelStats } from '../store/index.ts';
import { actorOf, need, type Access } from './access.ts';
import type { ServiceDeps } from './deps.ts';


/*
 * The intelligence engine keeps times in seconds (feeds give them so; decay compares them); the
 * API speaks milliseconds everywhere, so they are converted on the way out.
 */
const ms = (s: number): number => s * 1000;
const indicatorOut = (i: StoredIndicator): StoredIndicator => ({ ...i, firstSeen: ms(i.firstSeen), lastSeen: ms(i.lastSeen), validUntil: ms(i.validUntil) });
const feedOut = (f: FeedStatus): FeedStatus => ({ ...f, lastAttempt: ms(f.lastAttempt), lastSuccess: ms(f.lastSuccess) });
const allowOut = (e: AllowEntry): AllowEntry => ({ ...e, addedAt: ms(e.addedAt) });

function indicatorType(v: string | undefined): IndicatorType | undefined {
  if (v === undefined || v === '') return undefined;
  if ((INDICATOR_TYPES as readonly string[]).includes(v)) return v as IndicatorType;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `unknown indicator type "${v}" (one of ${INDICATOR_TYPES.join(', ')})`);
}

export class IntelService {
  constructor(private readonly d: ServiceDeps) {}

  stats(a: Access): Promise<IntelStats> {
    need(a, 'intel:read');
    return this.d.store.intel.stats();
  }

  async feeds(a: Access): Promise<FeedView[]> {
    need(a, 'intel:read');
    const [list, stats] = await Promise.all([this.d.store.intel.listFeedStatus(), this.d.store.intel.stats()]);
    const statuses = new Map(list.map((s) => [s.name, s]));
    const held = (name: string): number => stats.bySource[name] ?? 0;
    const out: FeedView[] = this.d.feedConfigs.map((f) => {
      const st = statuses.get(f.name);
      return { name: f.name, url: f.url, format: f.format, category: f.category ?? null, refreshSeconds: f.refresh, indicators: held(feedSource(f.name)), status: st === undefined ? null : feedOut(st) };
    });
    // Sources stored otherwise (the built-in seed, imports, feeds no longer configured) show too, without a schedule.
    const named = new Set(out.map((f) => feedSource(f.name)));
    for (const [name, st] of statuses) {
      if (named.has(feedSource(name))) continue;
      named.add(feedSource(name));
      out.push({ name, url: st.source, format: st.format, category: null, refreshSeconds: 0, indicators: held(feedSource(name)), status: feedOut(st) });
    }
    for (const [source, n] of Object.entries(stats.bySource)) {
      if (!named.has(source)) out.push({ name: source, url: '', format: '', category: null, refreshSeconds: 0, indicators: n, status: null });
    }
    return out;
  }

  async refresh(a: Access, name: string): Promise<FeedStatus | null> {
    need(a, 'intel:write');
    if (!this.d.feedConfigs.some((f) => f.name === name)) throw new MinewardenError('MW_ERR_NOT_FOUND', `no feed "${name}" in the configuration`);
    const [outcome] = await this.d.feeds.refreshAll({ force: true, names: [name] });
    await this.d.audit.record(actorOf(a), 'feed.refresh', `feed:${name}`, null, outcome ?? null, a.principal.ip ?? null);
    const st = await this.d.store.intel.getFeedStatus(name);
    return st === null ? null : feedOut(st);
  }

  async indicators(a: Access, q: { q?: string; type?: string; status?: string; source?: string; limit?: number; offset?: number }): Promise<StoredIndicator[]> {
    need(a, 'intel:read');
    const type = indicatorType(q.type);
    const status = q.status === undefined || q.status === '' ? undefined : (q.status as IndicatorStatus);
    const rows = await this.d.store.intel.query({
      ...(q.q === undefined || q.q === '' ? {} : { contains: q.q.toLowerCase() }),
      ...(type === undefined ? {} : { type }),
      ...(status === undefined ? {} : { status }),
      ...(q.source === undefined || q.source === '' ? {} : { source: q.source }),
      limit: Math.min(q.limit ?? 50, 500), offset: q.offset ?? 0,
    });
    return rows.map(indicatorOut);
  }

  async lookup(a: Access, value: string): Promise<LookupResult> {
    need(a, 'intel:read');
    const r = await lookup(this.d.engine, value);
    return { ...r, records: r.records.map(indicatorOut) };
  }

  async review(a: Access, q: { limit?: number; offset?: number }): Promise<StoredIndicator[]> {
    need(a, 'intel:read');
    return (await this.d.store.intel.query({ status: 'held', limit: Math.min(q.limit ?? 100, 500), offset: q.offset ?? 0 })).map(indicatorOut);
  }

  async release(a: Access, type: string, value: string): Promise<number> {
    need(a, 'intel:write');
    const t = indicatorType(type);
    if (t === undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', 'the indicator type is required');
    const n = await this.d.engine.release(t, value);
    if (n === 0) throw new MinewardenError('MW_ERR_NOT_FOUND', `no held ${t} "${value}"`);
    await this.d.audit.record(actorOf(a), 'intel.release', `${t}:${value}`, 'held', 'released', a.principal.ip ?? null);
    return n;
  }

  allowlist(a: Access): AllowEntry[] {
    need(a, 'intel:read');
    return this.d.engine.allowlist().map(allowOut);
  }

  async allow(a: Access, value: string, comment: string): Promise<AllowEntry> {
    need(a, 'intel:write');
    const n = normalizeValue(value);
    if (!n.ok) throw new MinewardenError('MW_ERR_BAD_INPUT', `cannot allowlist "${value}": ${n.error}`);
    const entry: AllowEntry = { type: n.type, value: n.value, comment: comment === '' ? `added by ${actorOf(a)}` : comment, addedAt: this.d.engine.now() };
    await this.d.engine.addAllow(entry);
    await this.d.audit.record(actorOf(a), 'allowlist.add', `${n.type}:${n.value}`, null, entry, a.principal.ip ?? null);
    return allowOut(entry);
  }

  async unallow(a: Access, type: string, value: string): Promise<void> {
    need(a, 'intel:write');
    const t = indicatorType(type);
    if (t === undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', 'the indicator type is required');
    const before = this.d.engine.allowlist().find((e) => e.type === t && e.value === value) ?? null;
    if (!(await this.d.engine.removeAllow(t, value))) throw new MinewardenError('MW_ERR_NOT_FOUND', `"${value}" is not on the allowlist`);
    await this.d.audit.record(actorOf(a), 'allowlist.remove', `${t}:${value}`, before, null, a.principal.ip ?? null);
  }
}
