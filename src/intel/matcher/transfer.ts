/** Messages between buildInWorker and its worker, and the buffers they transfer. */
import type { MatcherParts } from './types.ts';

/** Main thread → worker: the snapshot encoding of the entries (../snapshot.ts). */
export interface ToWorker {
  buffers: Uint8Array[];
}

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'done'; parts: MatcherParts }
  | { kind: 'failed'; message: string; buffers: Uint8Array[] };

/**
 * Every distinct ArrayBuffer under `root` (typed arrays at any depth of plain objects and
 * arrays), for a postMessage transfer list: a buffer listed twice is an error, and two views
 * may share one (a string table's int and byte views).
 */
export function transferables(root: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const walk = (v: unknown, depth: number): void => {
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) found.add(v.buffer);
    } else if (typeof v === 'object' && v !== null && depth < 4) {
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(root, 0);
  return [...found];
}
