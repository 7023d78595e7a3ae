/**
 * Worker entry of buildInWorker (worker-build.ts): decodes the entries it is handed (the snapshot
 * encoding of ../snapshot.ts), builds the matcher's parts and transfers every buffer back, so the
 * main thread neither runs the build nor collects its ~160 MB of garbage.
 *
 * Protocol: the worker says `ready` once loaded; the main thread then transfers the encoded
 * buffers; the worker answers `done` with the parts, or `failed` with the buffers given back
 * (so that the main thread can still build them itself).
 */
import { randomInt } from 'node:crypto';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { decodeSnapshot } from '../snapshot.ts';
import { finalize } from './finalize.ts';
import { Staging } from './staging.ts';
import type { MatcherParts } from './types.ts';
import { transferables } from './transfer.ts';
import type { FromWorker, ToWorker } from './transfer.ts';

function build(buffers: readonly Uint8Array[]): MatcherParts {
  const decoded = decodeSnapshot(buffers, null);
  if (decoded === null) throw new Error('the encoded entries are damaged');
  const staging = new Staging(randomInt(0x100000000) | 0);
  for (const batch of decoded.batches) for (let i = 0; i < batch.length; i++) staging.add(batch[i]!);
  const steps = finalize(staging);
  let r = steps.next();
  while (r.done !== true) r = steps.next();
  return r.value;
}

/**
 * Lower priority for this thread: where the lookup thread and the build share a core (2 cores,
 * plus GC helper threads), the scheduler preempts the build, not the lookups. Nice 10, not 19: a
 * contended core still gives the build ~10 % (at 19 a reload took 10–19 s instead of 3–5 s on a
 * loaded machine). Linux only: there the nice value belongs to the calling thread; elsewhere it
 * would lower the whole process.
 */
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // Not permitted: the build runs at normal priority.
  }
}

const port = parentPort;
if (port === null) throw new Error('build-worker.ts runs as a worker thread only');
port.once('message', (msg: ToWorker) => {
  let reply: FromWorker;
  let transfer: ArrayBuffer[];
  try {
    const parts = build(msg.buffers);
    reply = { kind: 'done', parts };
    transfer = transferables(parts);
  } catch (e) {
    reply = { kind: 'failed', message: e instanceof Error ? e.message : String(e), buffers: msg.buffers };
    transfer = transferables(msg.buffers);
  }
  port.postMessage(reply, transfer);
  port.close();
});
port.postMessage({ kind: 'ready' } satisfies FromWorker);
