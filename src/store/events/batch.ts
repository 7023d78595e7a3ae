/**
 * A batch of events of one kind, column by column (see columns.ts). The builder fills typed arrays
 * on the producer's thread — a handful of stores per event, no per-event object kept — and hands
 * the batch to the writer, which transfers the buffers to its thread.
 */
import type { EventKind, MinewardenEvent } from '../../model/events.ts';
import { MinewardenError } from '../../core/errors.ts';
import { columnsOf, type ColumnDef } from './columns.ts';

export type NumColumn = Float64Array | Uint32Array | Uint16Array | Uint8Array;
export type StrColumn = Array<string | null>;
export type Column = NumColumn | StrColumn;

export interface EventBatch {
  kind: EventKind;
  /** Rows used; typed arrays may be longer. */
  n: number;
  /** By column name (ColumnDef.col). */
  cols: Record<string, Column>;
}

function allocate(def: ColumnDef, capacity: number): Column {
  switch (def.type) {
    case 'time':
    case 'big':
      return new Float64Array(capacity);
    case 'u32':
      return new Uint32Array(capacity);
    case 'u16':
      return new Uint16Array(capacity);
    case 'u8':
      return new Uint8Array(capacity);
    case 'str':
    case 'json':
      return new Array<string | null>(capacity).fill(null);
  }
}

/** One field's encoder, prepared once per kind so the per-event loop has no switch on types. */
type Put = (cols: Record<string, Column>, row: number, ev: Record<string, unknown>) => void;

function encoder(def: ColumnDef): Put {
  const { field, col } = def;
  switch (def.type) {
    case 'str': {
      const missing = def.required === true ? '' : null;
      return (cols, row, ev) => {
        const v = ev[field];
        (cols[col] as StrColumn)[row] = typeof v === 'string' ? v : missing;
      };
    }
    case 'json':
      return (cols, row, ev) => {
        const v = ev[field];
        (cols[col] as StrColumn)[row] = v === undefined || v === null ? null : JSON.stringify(v);
      };
    case 'time':
    case 'big':
    case 'u32':
    case 'u16':
    case 'u8': {
      if (def.codes !== undefined) {
        const index = new Map(def.codes.map((c, i) => [c, i]));
        return (cols, row, ev) => {
          const code = index.get(ev[field] as string);
          if (code === undefined) {
            throw new MinewardenError('MW_ERR_BAD_INPUT', `${field} "${String(ev[field])}" is not one of ${def.codes!.join(', ')}`);
          }
          (cols[col] as NumColumn)[row] = code;
        };
      }
      // Whole numbers only: a sensor's time in fractional ms (Zeek's ts × 1000) or a fractional
      // byte count must not reach the store's BIGINT columns as such (the typed arrays of the
      // smaller types truncate by themselves).
      return (cols, row, ev) => {
        const v = ev[field];
        (cols[col] as NumColumn)[row] = typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
      };
    }
  }
}

const ENCODERS = new Map<EventKind, Put[]>();
function encodersOf(kind: EventKind): Put[] {
  let e = ENCODERS.get(kind);
  if (e === undefined) {
    e = columnsOf(kind).map(encoder);
    ENCODERS.set(kind, e);
  }
  return e;
}

/** Fills one batch of one kind; `take()` hands it over and starts a fresh one. */
export class BatchBuilder {
  private batch: EventBatch;
  private readonly put: Put[];

  constructor(readonly kind: EventKind, readonly capacity = 4096) {
    this.put = encodersOf(kind);
    this.batch = this.fresh();
  }

  get size(): number {
    return this.batch.n;
  }

  get full(): boolean {
    return this.batch.n >= this.capacity;
  }

  /** Adds an event of this builder's kind; throws MW_ERR_BAD_INPUT on a bad coded field (nothing is added). */
  add(ev: MinewardenEvent): void {
    const row = this.batch.n;
    if (row >= this.capacity) throw new MinewardenError('MW_ERR_CONFLICT', `the ${this.kind} batch is full (${this.capacity}); take() it first`);
    const rec = ev as unknown as Record<string, unknown>;
    const cols = this.batch.cols;
    for (const put of this.put) put(cols, row, rec);
    this.batch.n = row + 1;
  }

  take(): EventBatch {
    const out = this.batch;
    this.batch = this.fresh();
    return out;
  }

  private fresh(): EventBatch {
    const cols: Record<string, Column> = {};
    for (const def of columnsOf(this.kind)) cols[def.col] = allocate(def, this.capacity);
    return { kind: this.kind, n: 0, cols };
  }
}

/** The typed arrays' buffers, to transfer with postMessage. */
export function transferList(batch: EventBatch): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const c of Object.values(batch.cols)) if (!Array.isArray(c)) out.push(c.buffer as ArrayBuffer);
  return out;
}
