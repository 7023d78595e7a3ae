/**
 * Cooperative time slicing: long CPU work on the main thread (parsing a big feed, encoding or
 * building a matcher) checks `due()` in its loop and awaits `pause()` when it returns true, so the
 * event loop (and the DNS gateway on it) never waits more than about `sliceMs` for its turn.
 */
import { setImmediate as immediate } from 'node:timers/promises';

export class TimeSlicer {
  private start = performance.now();

  /** `onSlice` receives the length in ms of each slice of work (metrics, benchmarks). */
  constructor(
    private readonly sliceMs = 2,
    private readonly onSlice?: (ms: number) => void,
  ) {}

  /** True when the current slice is used up. Cheap enough to call every few hundred items. */
  due(): boolean {
    return performance.now() - this.start >= this.sliceMs;
  }

  /** Ends the slice, lets the event loop run, starts the next one. */
  async pause(): Promise<void> {
    this.onSlice?.(performance.now() - this.start);
    await immediate();
    this.start = performance.now();
  }

  /** Reports the last slice when the work is done. */
  finish(): void {
    this.onSlice?.(performance.now() - this.start);
  }
}
