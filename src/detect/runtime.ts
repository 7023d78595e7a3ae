/**
 * The one runtime every detector runs in: stream detectors get each event (and payload lines and
 * files) as it is recorded; windowed detectors run every `every` seconds over the last `window`
 * of the store, or once over a given span (`minewarden analyze`). Alerts go to one callback (the
 * incidents, and the event log as `alert` events). A detector that throws is counted and logged,
 * never allowed to stop the others.
 */
import type { Alert } from '../model/detect.ts';
import type { EventKind, MinewardenEvent } from '../model/events.ts';
import type { EventStore } from '../store/index.ts';
import type { Detector, DetectorContext, FileLine, PayloadLine, StreamInstance, ThreatView, WindowDetector } from './types.ts';

export interface RuntimeOptions {
  intel: ThreatView;
  store: EventStore;
  unitOf(client: string, site: string): string | null;
  isInternal(address: string): boolean;
  onAlert(alert: Alert): void;
  /** Parameter overrides by detector id. */
  params?: Record<string, Record<string, number>>;
  /** Detector ids turned off. */
  disabled?: readonly string[];
  onError?(detector: string, e: unknown): void;
}

export interface DetectorStatus {
  id: string;
  title: string;
  mode: 'stream' | 'window';
  enabled: boolean;
  alerts: number;
  errors: number;
  lastRun: number;
  lastError: string | null;
}

const NAMES_MAX = 100_000;

export class DetectorRuntime {
  private readonly byKind = new Map<EventKind, Array<{ id: string; i: StreamInstance }>>();
  private readonly payloads: Array<{ id: string; i: StreamInstance }> = [];
  private readonly files: Array<{ id: string; i: StreamInstance }> = [];
  private readonly streams: Array<{ id: string; i: StreamInstance }> = [];
  private readonly windows: WindowDetector[] = [];
  private readonly status = new Map<string, DetectorStatus>();
  private readonly timers: NodeJS.Timeout[] = [];
  /** client + address → names seen for it (TLS SNI, HTTP Host, DNS answers), bounded. */
  private readonly names = new Map<string, string[]>();
  private readonly ctx: DetectorContext;
  private current = '';

  constructor(detectors: readonly Detector[], private readonly opts: RuntimeOptions) {
    this.ctx = {
      intel: opts.intel,
      emit: (a) => this.emit(a),
      namesFor: (client, address) => this.names.get(`${client}\u0000${address}`) ?? [],
      unitOf: (client, site) => opts.unitOf(client, site),
      isInternal: (a) => opts.isInternal(a),
    };
    for (const d of detectors) {
      const enabled = !(opts.disabled ?? []).includes(d.id);
      this.status.set(d.id, { id: d.id, title: d.title, mode: d.mode, enabled, alerts: 0, errors: 0, lastRun: 0, lastError: null });
      if (!enabled) continue;
      if (d.mode === 'window') {
        this.windows.push(d);
        continue;
      }
      const inst = { id: d.id, i: d.create(this.paramsOf(d), this.ctx) };
      this.streams.push(inst);
      for (const input of d.inputs) {
        if (input === 'payload') this.payloads.push(inst);
        else if (input === 'file') this.files.push(inst);
        else {
          const list = this.byKind.get(input) ?? [];
          list.push(inst);
          this.byKind.set(input, list);
        }
      }
    }
  }

  private paramsOf(d: Detector): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, spec] of Object.entries(d.params)) out[k] = this.opts.params?.[d.id]?.[k] ?? spec.default;
    return out;
  }

  private emit(a: Alert): void {
    const s = this.status.get(this.current) ?? this.status.get(a.detector);
    if (s !== undefined) s.alerts++;
    this.opts.onAlert(a);
  }

  private guard(id: string, fn: () => void): void {
    this.current = id;
    try {
      fn();
    } catch (e) {
      this.failed(id, e);
    }
    this.current = '';
  }

  private failed(id: string, e: unknown): void {
    const s = this.status.get(id);
    if (s !== undefined) {
      s.errors++;
      s.lastError = e instanceof Error ? e.message : String(e);
    }
    this.opts.onError?.(id, e);
  }

  /** Every recorded event passes here (the sink's tap). */
  observe(ev: MinewardenEvent): void {
    this.learnNames(ev);
    const list = this.byKind.get(ev.kind);
    if (list === undefined) return;
    for (const { id, i } of list) if (i.event !== undefined) this.guard(id, () => i.event!(ev));
  }

  payload(line: PayloadLine): void {
    for (const { id, i } of this.payloads) if (i.payload !== undefined) this.guard(id, () => i.payload!(line));
  }

  file(f: FileLine): void {
    for (const { id, i } of this.files) if (i.file !== undefined) this.guard(id, () => i.file!(f));
  }

  /** Names a host used for an address: what makes "a flow to 1.2.3.4" read "to pool.example". */
  private learnNames(ev: MinewardenEvent): void {
    let address: string | null = null;
    let names: readonly string[] = [];
    if (ev.kind === 'tls' && ev.sni !== undefined && ev.sni !== null) [address, names] = [ev.server, [ev.sni]];
    else if (ev.kind === 'http' && ev.host !== '') [address, names] = [ev.server, [ev.host.replace(/:\d+$/, '')]];
    else if (ev.kind === 'dns' && ev.answers !== undefined && ev.answers !== null) {
      for (const a of ev.answers) this.remember(ev.client, a, ev.name);
      return;
    }
    if (address === null) return;
    for (const n of names) this.remember(ev.client, address, n);
  }

  private remember(client: string, address: string, name: string): void {
    const key = `${client}\u0000${address}`;
    const list = this.names.get(key) ?? [];
    if (list[0] === name) return;
    if (this.names.size >= NAMES_MAX) this.names.clear();
    this.names.set(key, [name, ...list.filter((n) => n !== name)].slice(0, 4));
  }

  /** Runs every windowed detector once over [from, to) (analyze, tests). */
  async runWindows(from: number, to: number): Promise<void> {
    for (const d of this.windows) await this.runWindow(d, from, to);
  }

  private async runWindow(d: WindowDetector, from: number, to: number): Promise<void> {
    const s = this.status.get(d.id)!;
    try {
      await d.run({ from, to }, this.paramsOf(d), { ...this.ctx, store: this.opts.store, emit: (a) => {
        s.alerts++;
        this.opts.onAlert(a);
      } });
    } catch (e) {
      this.failed(d.id, e);
    }
    s.lastRun = Date.now();
  }

  /** `serve`: each windowed detector on its own schedule, over the window that just ended. */
  schedule(now: () => number = Date.now): void {
    for (const d of this.windows) {
      let running = false;
      const t = setInterval(() => {
        if (running) return;
        running = true;
        const to = now();
        void this.runWindow(d, to - d.window * 1000, to).finally(() => (running = false));
      }, d.every * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  /** End of input: stream detectors report what they hold. */
  flush(): void {
    for (const { id, i } of this.streams) if (i.flush !== undefined) this.guard(id, () => i.flush!());
  }

  list(): DetectorStatus[] {
    return [...this.status.values()];
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.flush();
  }
}
