/**
 * The event writer thread: owns the events database, appends the batches the main thread
 * transfers, and answers its calls. Runs LocalEventStore; nothing here is DuckDB-specific beyond it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isMinewardenError } from '../../../core/errors.ts';
import { LocalEventStore } from './local.ts';
import { REMOTE_METHODS, type FromWriter, type ToWriter, type WorkerInit } from './protocol.ts';

const port = parentPort!;
const send = (m: FromWriter): void => port.postMessage(m);

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  let store: LocalEventStore;
  try {
    store = await LocalEventStore.open({ ...init, log: (level, msg) => send({ t: 'log', level, msg }) });
  } catch (e) {
    send({ t: 'failed', message: (e as Error).message, ...(isMinewardenError(e) ? { code: e.code } : {}) });
    return;
  }
  // The main thread counts what it handed over; this tells it what became of it.
  const ticker = setInterval(() => send({ t: 'status', status: store.status() }), 250);
  port.on('message', (m: ToWriter) => {
    switch (m.t) {
      case 'write':
        store.write(m.batch);
        return;
      case 'names':
        store.noteHostNames(m.notes);
        return;
      case 'call':
        void call(store, m.id, m.method, m.args);
        return;
      case 'close':
        clearInterval(ticker);
        void store.close().finally(() => {
          send({ t: 'closed' });
          port.close();
        });
        return;
    }
  });
  send({ t: 'ready' });
}

async function call(store: LocalEventStore, id: number, method: string, args: unknown[]): Promise<void> {
  try {
    if (!(REMOTE_METHODS as readonly string[]).includes(method)) throw new Error(`unknown method ${method}`);
    // The method name was checked against REMOTE_METHODS; the arguments are the caller's, typed there.
    const fn = (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
    const value = await fn.apply(store, args);
    send({ t: 'result', id, ok: true, value, status: store.status() });
  } catch (e) {
    send({ t: 'result', id, ok: false, message: (e as Error).message, ...(isMinewardenError(e) ? { code: e.code } : {}), status: store.status() });
  }
}

void main();
