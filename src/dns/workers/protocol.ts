/**
 * Messages between the gateway's main thread and its DNS worker threads (./pool.ts, ./thread.ts).
 * Each worker answers UDP on the same ports as the main thread (SO_REUSEPORT: the kernel spreads
 * clients over the sockets); TCP, DoT and DoH stay on the main thread. Workers share the
 * intelligence matcher's memory (SharedArrayBuffers) and send their query log as columnar
 * batches to the main thread's one event writer.
 */
import type { DnsConfig } from '../../config/index.ts';
import type { MatcherParts } from '../../intel/index.ts';
import type { DnsEvent, DnsOutcome } from '../../model/events.ts';
import type { Unit } from '../../model/org.ts';
import type { EventBatch } from '../../store/index.ts';

export interface SharedIntel {
  matcher: MatcherParts;
  allow: MatcherParts;
  generation: number;
}

export interface WorkerInit {
  index: number;
  config: DnsConfig;
  /** UDP addresses with the ports the main thread bound. */
  udp: Array<{ host: string; port: number }>;
  intel: SharedIntel;
  units: readonly Unit[];
  resolvConf: string;
}

/** Counters a worker reports every second (totals since it started). */
export interface WorkerStats {
  queries: number;
  malformed: number;
  dropped: number;
  errors: number;
  logDrops: number;
  byOutcome: Array<[DnsOutcome, number]>;
  byCategory: Array<[string, number]>;
  cache: { hits: number; misses: number; stale: number; prefetches: number; size: number };
  latency: { counts: number[]; sumUs: number; count: number };
}

export type ToWorker =
  | { t: 'config'; config: DnsConfig }
  | { t: 'intel'; intel: SharedIntel }
  | { t: 'units'; units: readonly Unit[] }
  | { t: 'pending'; pending: number }
  | { t: 'stop' };

export type FromWorker =
  | { t: 'ready'; index: number }
  | { t: 'failed'; index: number; message: string }
  | { t: 'events'; batch: EventBatch }
  | { t: 'blocked'; client: string; name: string }
  | { t: 'matched'; ev: DnsEvent }
  | { t: 'stats'; index: number; stats: WorkerStats }
  | { t: 'stopped'; index: number };
