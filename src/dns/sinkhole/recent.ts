/**
 * The names the gateway recently answered with the sinkhole address, per client: a connection
 * that names nothing (no SNI, no Host, a raw Stratum login) is put down to the client's latest one.
 * Bounded: a few names per client, a cap on clients (the least recently noted go first), and each
 * name forgotten after `ttlMs`.
 */

export interface RecentOptions {
  ttlMs?: number;
  perClient?: number;
  maxClients?: number;
}

/** `::ffff:192.0.2.1` → `192.0.2.1` (an IPv4 client on a dual-stack socket, RFC 4291 §2.5.5.2). */
export function plainAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class RecentBlocks {
  private readonly byClient = new Map<string, { name: string; at: number }[]>();
  private readonly ttlMs: number;
  private readonly perClient: number;
  private readonly maxClients: number;

  constructor(opts: RecentOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10 * 60_000;
    this.perClient = opts.perClient ?? 4;
    this.maxClients = opts.maxClients ?? 50_000;
  }

  get size(): number {
    return this.byClient.size;
  }

  note(client: string, name: string, now: number): void {
    const key = plainAddress(client);
    const n = name.toLowerCase().replace(/\.$/, '');
    if (n === '') return;
    const list = (this.byClient.get(key) ?? []).filter((e) => e.name !== n && now - e.at < this.ttlMs);
    list.push({ name: n, at: now });
    if (list.length > this.perClient) list.splice(0, list.length - this.perClient);
    // Re-inserting moves the client to the end: Map order is then least recently noted first.
    this.byClient.delete(key);
    this.byClient.set(key, list);
    while (this.byClient.size > this.maxClients) {
      const oldest = this.byClient.keys().next();
      if (oldest.done === true) break;
      this.byClient.delete(oldest.value);
    }
  }

  /** The client's most recent name still within the TTL, or null. */
  last(client: string, now: number): string | null {
    const key = plainAddress(client);
    const list = this.byClient.get(key);
    if (list === undefined) return null;
    const fresh = list.filter((e) => now - e.at < this.ttlMs);
    if (fresh.length === 0) {
      this.byClient.delete(key);
      return null;
    }
    return fresh[fresh.length - 1]!.name;
  }
}
