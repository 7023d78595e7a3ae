/**
 * From parse items to stored indicators: normalise, fill the feed's defaults, drop duplicates
 * (the higher confidence wins), and let the guard hold what could block something popular.
 * Runs time-sliced so that a million-line feed never stalls the event loop.
 */
import type { FeedFormat, RawIndicator, StoredIndicator } from '../model/indicator.ts';
import { TimeSlicer } from '../core/slice.ts';
import { normalizeValue, clip } from './normalize.ts';
import type { ParseItem } from './parsers/types.ts';

export interface ImportDefaults {
  source: string;
  category: string;
  family: string;
  confidence: number;
}

export interface ImportIssue {
  line: number;
  error: string;
  sample: string;
}

export interface GuardLike {
  check(type: StoredIndicator['type'], value: string): { action: 'load' } | { action: 'hold'; reason: string };
}

export interface PreparedImport {
  format: FeedFormat;
  indicators: StoredIndicator[];
  /** Lines or records that could not be used. */
  rejected: number;
  /** The first issues, with line numbers and samples, for the report. */
  issues: ImportIssue[];
  /** Well-formed records of kinds Minewarden does not use (e.g. STIX registry-key patterns). */
  skipped: number;
  skippedReasons: Record<string, number>;
  /** Informational records (MISP to_ids=false, RPZ passthru): kept out of blocking. */
  informational: number;
  duplicates: number;
  held: number;
}

export interface PrepareOptions {
  format: FeedFormat;
  defaults: ImportDefaults;
  guard: GuardLike | null;
  /** Values a person released from review: not held again. Keyed `type|value`. */
  released: ReadonlySet<string>;
  now: number;
  maxIssues?: number;
  onProgress?: (line: number) => void;
}

/** Shared by every record without tags (a million empty arrays are not free); never mutated. */
const NO_TAGS: string[] = [];

function toStored(raw: RawIndicator, type: StoredIndicator['type'], value: string, d: ImportDefaults, now: number): StoredIndicator {
  const conf = raw.confidence ?? d.confidence;
  return {
    type,
    value,
    category: raw.category ?? d.category,
    family: raw.family ?? d.family,
    source: d.source,
    confidence: Number.isFinite(conf) ? Math.max(0, Math.min(100, Math.round(conf))) : d.confidence,
    firstSeen: raw.firstSeen ?? now,
    // 0 = the source gave no sighting date; the store then keeps the previous one.
    lastSeen: raw.lastSeen ?? 0,
    validUntil: raw.validUntil ?? 0,
    tags: raw.tags ?? NO_TAGS,
    reference: raw.reference ?? '',
    status: 'active',
    holdReason: '',
  };
}

export async function prepareImport(items: Iterable<ParseItem>, opts: PrepareOptions): Promise<PreparedImport> {
  const maxIssues = opts.maxIssues ?? 20;
  // One map per type, keyed by value: no `type|value` string to build per record.
  const byType = new Map<string, Map<string, StoredIndicator>>();
  const out: PreparedImport = {
    format: opts.format, indicators: [], rejected: 0, issues: [], skipped: 0, skippedReasons: {}, informational: 0, duplicates: 0, held: 0,
  };
  const slicer = new TimeSlicer(2);
  let n = 0;
  for (const item of items) {
    if ((++n & 255) === 0 && slicer.due()) {
      if (opts.onProgress && item.kind !== 'skipped') opts.onProgress(item.kind === 'indicator' ? (item.indicator.line ?? 0) : item.line);
      await slicer.pause();
    }
    switch (item.kind) {
      case 'rejected':
        out.rejected++;
        if (out.issues.length < maxIssues) out.issues.push({ line: item.line, error: item.error, sample: item.sample });
        break;
      case 'skipped':
        out.skipped++;
        out.skippedReasons[item.reason] = (out.skippedReasons[item.reason] ?? 0) + 1;
        break;
      case 'indicator': {
        const raw = item.indicator;
        if (raw.blocking === false) {
          out.informational++;
          break;
        }
        const norm = normalizeValue(raw.value, raw.type);
        if (!norm.ok) {
          out.rejected++;
          if (out.issues.length < maxIssues) out.issues.push({ line: raw.line ?? 0, error: norm.error, sample: clip(raw.value) });
          break;
        }
        let byValue = byType.get(norm.type);
        if (byValue === undefined) byType.set(norm.type, (byValue = new Map<string, StoredIndicator>()));
        const rec = toStored(raw, norm.type, norm.value, opts.defaults, opts.now);
        const prev = byValue.get(norm.value);
        if (prev !== undefined) {
          out.duplicates++;
          if (rec.confidence <= prev.confidence) break;
        }
        byValue.set(norm.value, rec);
        break;
      }
      default: {
        const never: never = item;
        throw new Error(`unknown parse item ${JSON.stringify(never)}`);
      }
    }
  }
  const all = [...byType.values()].flatMap((m) => [...m.values()]);
  byType.clear();
  for (const rec of all) {
    const released = opts.released.size > 0 && opts.released.has(`${rec.type}|${rec.value}`);
    if (opts.guard !== null && !released) {
      const v = opts.guard.check(rec.type, rec.value);
      if (v.action === 'hold') {
        rec.status = 'held';
        rec.holdReason = v.reason;
        out.held++;
      }
    } else if (released) {
      rec.status = 'released';
    }
    out.indicators.push(rec);
    if ((out.indicators.length & 1023) === 0 && slicer.due()) await slicer.pause();
  }
  return out;
}
