/** Messages between the main thread and the event writer worker (./worker.ts, ./remote.ts). */
import { ANALYTICS_METHODS } from '../../analytics.ts';
import type { WriterStatus } from '../../types.ts';
import type { EventBatch } from '../../events/batch.ts';
import type { HostNameNote } from '../../types.ts';
import type { EventStoreOptions } from './local.ts';

/** Store methods the main thread may call on the worker, by name. */
export const REMOTE_METHODS = [
  'query', 'counts', 'top', 'hosts', 'findHost', 'applyRetention', 'rollup', 'compact', 'stats', 'backup', 'flush', 'retryNow',
  ...ANALYTICS_METHODS,
] as const;
export type RemoteMethod = (typeof REMOTE_METHODS)[number];

export type WorkerInit = Omit<EventStoreOptions, 'log'>;

export type ToWriter =
  | { t: 'write'; batch: EventBatch }
  | { t: 'names'; notes: HostNameNote[] }
  | { t: 'call'; id: number; method: RemoteMethod; args: unknown[] }
  | { t: 'close' };

export type FromWriter =
  | { t: 'ready' }
  | { t: 'failed'; message: string; code?: string }
  | { t: 'result'; id: number; ok: true; value: unknown; status: WriterStatus }
  | { t: 'result'; id: number; ok: false; message: string; code?: string; status: WriterStatus }
  | { t: 'status'; status: WriterStatus }
  | { t: 'log'; level: 'info' | 'warn' | 'error'; msg: string }
  | { t: 'closed' };
