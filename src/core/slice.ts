/**
 * Cooperative time slicing: long CPU work on the main thread (parsing a big feed, building a
 * matcher) checks `due()` in its loop and awaits `pause()` when it returns true, so the event loop
 * (and the DNS gateway on it) never waits more than about `sliceMs` for its turn.
 */
import { setImmediate as immediate } from 'node:timers/promises';

export class TimeSlicer {
  private start = performance.now();
  constructor(private readonly sliceMs = 2) {}

  /** True when the current slice is used up. Cheap enough to call every few hundred items. */
  due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  async pause(): Promise<void> {
    await immediate();
    this.start = performance.now();
  }
}
