/**
 * A matcher build off the main thread. The main thread hands a worker the entries encoded as a
 * snapshot (../snapshot.ts SnapshotWriter.encode: a few large buffers, transferred, not copied);
 * the worker builds the parts and transfers every buffer back; the main thread only wraps them
 * (`new IntelMatcher(parts)`, no copy). A reload then never stalls lookups on the main thread:
 * the in-thread sliced build kept slices of 2–4 ms plus major-GC pauses of 3–6 ms for the
 * ~160 MB it allocates (bench/intel-match.ts).
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../core/worker-entry.ts';
import { decodeSnapshot } from '../snapshot.ts';
import { IntelMatcher, IntelMatcherBuilder } from './matcher.ts';
import { transferables } from './transfer.ts';
import type { FromWorker, ToWorker } from './transfer.ts';

export interface WorkerBuildOptions {
  /**
   * Called when the worker could not start, or failed and gave the entries back, just before the
   * build runs on this thread instead (buildSliced): the caller logs it.
   */
  onFallback?: (reason: Error) => void;
  /** Slice length of that fallback (see IntelMatcherBuilder.buildSliced). */
  sliceMs?: number;
  /** How long the worker may take to load before the fallback is used. Default 30 s. */
  startTimeoutMs?: number;
  /** Another worker entry (tests). */
  workerUrl?: URL;
}

/**
 * Builds a matcher from encoded entries in a worker thread. The buffers are transferred: they
 * are unusable afterwards. If the worker fails to start, or fails and gives them back, builds on
 * this thread instead (time-sliced) after calling `onFallback`. Rejects only if the worker dies
 * while holding the buffers, or if they do not decode.
 */
export async function buildInWorker(buffers: Uint8Array[], opts: WorkerBuildOptions = {}): Promise<IntelMatcher> {
  const outcome = await runWorker(buffers, opts);
  if (outcome instanceof IntelMatcher) return outcome;
  opts.onFallback?.(outcome.reason);
  const decoded = decodeSnapshot(outcome.buffers, null);
  if (decoded === null) throw new Error('matcher build: the encoded entries are damaged');
  return IntelMatcherBuilder.buildSliced(decoded.batches, opts.sliceMs === undefined ? {} : { sliceMs: opts.sliceMs });
}

interface Fallback {
  reason: Error;
  buffers: Uint8Array[];
}

function runWorker(buffers: Uint8Array[], opts: WorkerBuildOptions): Promise<IntelMatcher | Fallback> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      const w = opts.workerUrl === undefined ? workerEntry(import.meta.url, 'build-worker') : { entry: opts.workerUrl, eval: false };
      worker = new Worker(w.entry, { eval: w.eval });
    } catch (e) {
      resolve({ reason: e instanceof Error ? e : new Error(String(e)), buffers });
      return;
    }
    /** Whether the worker holds the buffers (transferred, not yet given back). */
    let holding = false;
    let settled = false;
    const settle = (v: IntelMatcher | Fallback | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const fail = (reason: Error): void => {
      // Before the transfer the buffers are still ours; after it they died with the worker.
      if (holding) settle(new Error(`matcher build worker failed: ${reason.message}`));
      else settle({ reason, buffers });
      void worker.terminate();
    };
    const timer = setTimeout(() => fail(new Error(`matcher build worker did not start within ${opts.startTimeoutMs ?? 30_000} ms`)), opts.startTimeoutMs ?? 30_000);
    worker.on('message', (msg: FromWorker) => {
      switch (msg.kind) {
        case 'ready':
          clearTimeout(timer);
          holding = true;
          worker.postMessage({ buffers } satisfies ToWorker, transferables(buffers));
          break;
        case 'done':
          settle(new IntelMatcher(msg.parts));
          break;
        case 'failed':
          holding = false;
          settle({ reason: new Error(`matcher build worker: ${msg.message}`), buffers: msg.buffers });
          break;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`matcher build worker exited with code ${code}`)));
  });
}
