/**
 * Hosts in memory: (site, address) → id, first and last seen, unit, names. The writer assigns ids
 * as events arrive; new hosts are written in the same transaction as the events that name them,
 * so an id in an event always has its host row. last-seen and names are written every few
 * seconds (`dirty`), and on close.
 */
import type { Host, HostName } from '../../../model/events.ts';

/** The stored host, kept and changed in place by the writer. */
export type HostState = Host;

/** How many names a host keeps (newest first). */
const MAX_NAMES = 8;

export class HostTable {
  private readonly byKey = new Map<string, HostState>();
  private readonly byId = new Map<number, HostState>();
  private nextId = 1;
  /** Changed since the last write (existing hosts only; new ones are written with their events). */
  readonly dirty = new Set<HostState>();

  static key(site: string, address: string): string {
    return `${site}\u0000${address}`;
  }

  load(h: HostState): void {
    this.byKey.set(HostTable.key(h.site, h.address), h);
    this.byId.set(h.id, h);
    if (h.id >= this.nextId) this.nextId = h.id + 1;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(site: string, address: string): HostState | undefined {
    return this.byKey.get(HostTable.key(site, address));
  }

  byIdOf(id: number): HostState | undefined {
    return this.byId.get(id);
  }

  /**
   * The host of one event: found, or created and added to `created`. `unit` replaces the stored
   * one when set (an address may move to another unit when the org tree changes).
   */
  touch(site: string, address: string, unit: string | null, ts: number, created: HostState[]): HostState {
    const key = HostTable.key(site, address);
    let h = this.byKey.get(key);
    if (h === undefined) {
      h = { id: this.nextId++, site, address, unit, firstSeen: ts, lastSeen: ts, names: [] };
      this.byKey.set(key, h);
      this.byId.set(h.id, h);
      created.push(h);
      return h;
    }
    if (ts > h.lastSeen) {
      h.lastSeen = ts;
      if (unit !== null) h.unit = unit;
      this.dirty.add(h);
    } else if (ts < h.firstSeen) {
      h.firstSeen = ts;
      this.dirty.add(h);
    }
    return h;
  }

  /** Forgets hosts created by a batch that failed to commit, so their ids are given again. */
  forget(created: readonly HostState[]): void {
    for (const h of created) {
      this.byKey.delete(HostTable.key(h.site, h.address));
      this.byId.delete(h.id);
    }
    if (created.length > 0) this.nextId = Math.min(...created.map((h) => h.id));
  }

  /** Adds a learned name (newest first, one entry per name); returns whether anything changed. */
  noteName(h: HostState, name: HostName): boolean {
    const i = h.names.findIndex((n) => n.name === name.name);
    if (i >= 0) {
      if (h.names[i]!.ts >= name.ts) return false;
      h.names.splice(i, 1);
    }
    h.names.unshift(name);
    h.names.sort((x, y) => y.ts - x.ts);
    if (h.names.length > MAX_NAMES) h.names.length = MAX_NAMES;
    this.dirty.add(h);
    return true;
  }
}

export function toHost(h: HostState): Host {
  return { id: h.id, site: h.site, address: h.address, unit: h.unit, firstSeen: h.firstSeen, lastSeen: h.lastSeen, names: h.names.map((n) => ({ ...n })) };
}
