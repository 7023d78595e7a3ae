/**
 * The incident engine: folds alerts into stored incidents and runs the analyst workflow. Every
 * operation runs one at a time (a queue), so a fold never races a state change; the open set is
 * kept in memory between batches and reloaded after any state change.
 */
import { MinewardenError } from '../core/errors.ts';
import type { Alert, Incident, IncidentState } from '../model/detect.ts';
import type { IncidentChange, IncidentStore } from '../store/index.ts';
import { FOLD_DEFAULTS, foldAlerts, isOpen, type FoldOptions } from './fold.ts';

export interface IncidentEngineOptions extends Partial<FoldOptions> {
  store: IncidentStore;
  /** Puts an indicator (domain, address, …) on the allowlist; `fp --allowlist` calls it. */
  allow?: (indicator: string, comment: string) => Promise<void>;
  /** Alerts folded per stored batch. */
  batchSize?: number;
  now?: () => number;
  /** Told of every incident an ingest created or changed, as stored (live updates). */
  onSaved?: (incidents: readonly Incident[]) => void;
}

export interface IngestReport {
  alerts: number;
  created: number;
  updated: number;
  /** Ids of campaigns created by this ingest. */
  campaigns: number[];
}

/**
 * The workflow, forward only: an analyst may skip a step (contain without a separate ack), never
 * go back; false-positive from any open state; resolved and false-positive end it (see reopen).
 */
const NEXT: Record<IncidentState, readonly IncidentState[]> = {
  new: ['acknowledged', 'contained', 'resolved', 'false-positive'],
  acknowledged: ['contained', 'resolved', 'false-positive'],
  contained: ['resolved', 'false-positive'],
  resolved: [],
  'false-positive': [],
};

export function canTransition(from: IncidentState, to: IncidentState): boolean {
  return NEXT[from].includes(to);
}

const sameKey = (a: Incident, b: Incident): boolean =>
  a.kind === b.kind && (a.kind === 'campaign'
    ? a.controller === b.controller
    : a.threat === b.threat && a.hosts[0]?.client === b.hosts[0]?.client && a.hosts[0]?.site === b.hosts[0]?.site);

export class IncidentEngine {
  private readonly store: IncidentStore;
  private readonly fold: FoldOptions;
  private readonly batchSize: number;
  private readonly now: () => number;
  private queue: Promise<unknown> = Promise.resolve();
  private open: Incident[] | null = null;

  constructor(private readonly opts: IncidentEngineOptions) {
    this.store = opts.store;
    this.fold = {
      campaignHosts: opts.campaignHosts ?? FOLD_DEFAULTS.campaignHosts,
      campaignWindowMs: opts.campaignWindowMs ?? FOLD_DEFAULTS.campaignWindowMs,
      timelineCap: opts.timelineCap ?? FOLD_DEFAULTS.timelineCap,
      lineage: opts.lineage ?? ((u) => [u]),
    };
    this.batchSize = opts.batchSize ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Folds alerts in time order, storing each batch in one transaction. */
  ingest(alerts: readonly Alert[]): Promise<IngestReport> {
    return this.serial(async () => {
      const report: IngestReport = { alerts: alerts.length, created: 0, updated: 0, campaigns: [] };
      const sorted = [...alerts].sort((a, b) => a.ts - b.ts);
      for (let i = 0; i < sorted.length; i += this.batchSize) {
        this.open ??= await this.store.listOpen();
        const { changed } = foldAlerts(this.open, sorted.slice(i, i + this.batchSize), this.fold);
        let saved: Incident[];
        try {
          saved = await this.store.save(changed);
        } catch (e) {
          this.open = null; // the store may hold less than memory does: read it again next time
          throw e;
        }
        changed.forEach((c, k) => {
          if (c.id > 0) report.updated++;
          else {
            report.created++;
            if (c.kind === 'campaign') report.campaigns.push((saved[k] as Incident).id);
          }
        });
        const byId = new Map(this.open.map((o) => [o.id, o]));
        for (const s of saved) byId.set(s.id, s);
        this.opts.onSaved?.(saved);
        this.open = [...byId.values()];
      }
      return report;
    });
  }

  get(id: number): Promise<Incident> {
    return this.serial(() => this.require(id));
  }

  history(id: number): Promise<IncidentChange[]> {
    return this.store.history(id);
  }

  private async require(id: number): Promise<Incident> {
    const i = await this.store.get(id);
    if (i === null) throw new MinewardenError('MW_ERR_NOT_FOUND', `no incident #${id}`);
    return i;
  }

  private check(i: Incident, to: IncidentState): void {
    if (canTransition(i.state, to)) return;
    const why = isOpen(i)
      ? `it can go to ${NEXT[i.state].join(', ')}`
      : `it is closed; reopen it first (minewarden incidents reopen ${i.id})`;
    throw new MinewardenError('MW_ERR_CONFLICT', `incident #${i.id} is ${i.state}: it cannot become ${to} (${why})`);
  }

  /**
   * Moves an incident on. A campaign takes its open member incidents along (each as far as its
   * own workflow allows): containing or resolving a botnet is done for every host in it.
   */
  transition(id: number, to: IncidentState, actor: string, note?: string): Promise<Incident> {
    return this.serial(async () => {
      const i = await this.require(id);
      this.check(i, to);
      this.open = null;
      const moved = await this.store.setState(id, to, actor, note, this.now());
      if (i.kind === 'campaign') await this.cascade(id, to, actor);
      return moved;
    });
  }

  private async cascade(campaignId: number, to: IncidentState, actor: string): Promise<void> {
    for (const m of await this.store.listOpen()) {
      if (m.campaignId !== campaignId || !canTransition(m.state, to)) continue;
      await this.store.setState(m.id, to, actor, `with campaign #${campaignId}`, this.now());
    }
  }

  /**
   * Marks a false positive; with `allowlist`, the incident's indicator goes on the allowlist first,
   * so a failing allowlist leaves the incident as it was.
   */
  falsePositive(id: number, actor: string, o: { allowlist: boolean; note?: string }): Promise<Incident> {
    return this.serial(async () => {
      const i = await this.require(id);
      this.check(i, 'false-positive');
      if (o.allowlist) {
        if (i.indicator === null) throw new MinewardenError('MW_ERR_BAD_INPUT', `incident #${id} names no indicator to allowlist`);
        if (this.opts.allow === undefined) throw new MinewardenError('MW_ERR_CONFLICT', 'no allowlist is available here');
        await this.opts.allow(i.indicator, `false positive: incident #${id} (${actor})`);
      }
      this.open = null;
      const moved = await this.store.setState(id, 'false-positive', actor, o.note, this.now());
      if (i.kind === 'campaign') await this.cascade(id, 'false-positive', actor);
      return moved;
    });
  }

  /** Back to acknowledged; refused while another open incident has the same host and threat. */
  reopen(id: number, actor: string, note?: string): Promise<Incident> {
    return this.serial(async () => {
      const i = await this.require(id);
      if (isOpen(i)) throw new MinewardenError('MW_ERR_CONFLICT', `incident #${id} is ${i.state}, not closed`);
      const twin = (await this.store.listOpen()).find((o) => sameKey(o, i));
      if (twin !== undefined) throw new MinewardenError('MW_ERR_CONFLICT', `incident #${twin.id} is open for the same ${i.kind === 'campaign' ? 'controller' : 'host and threat'}; it gets the new alerts`);
      this.open = null;
      return this.store.setState(id, 'acknowledged', actor, note, this.now());
    });
  }

  assign(id: number, who: string | null, actor: string): Promise<Incident> {
    return this.serial(() => this.store.assign(id, who, actor, this.now()));
  }

  note(id: number, actor: string, text: string): Promise<Incident> {
    if (text.trim() === '') return Promise.reject(new MinewardenError('MW_ERR_BAD_INPUT', 'a note needs some text'));
    return this.serial(() => this.store.addNote(id, actor, text, this.now()));
  }
}
