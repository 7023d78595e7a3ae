/**
 * Where batches wait when the store cannot take them (disk full, file locked, store down): files
 * in `DATA_DIR/spool/events/`, one per batch, written whole (temp file, then rename) in v8's
 * serialisation (typed arrays stay typed arrays). If the spool cannot be written either, batches
 * wait in memory up to a bound; only past that bound are events dropped, counted and logged.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { EventBatch } from './batch.ts';

/** A spool file that could not be read back; it was removed and its events are lost. */
export class SpoolDamage extends Error {
  constructor(message: string, readonly lost: number) {
    super(message);
  }
}

interface Held {
  /** File name in the spool directory, or null for a batch held in memory. */
  file: string | null;
  batch: EventBatch | null;
  n: number;
}

export class Spool {
  private readonly held: Held[] = [];
  private seq = 0;
  private memoryEvents = 0;

  /** `dir` null: memory only (an in-memory store). */
  constructor(private readonly dir: string | null, private readonly maxMemoryEvents = 1_000_000) {
    if (dir === null) return;
    let files: string[];
    try {
      mkdirSync(dir, { recursive: true });
      files = readdirSync(dir).sort();
    } catch {
      // The spool cannot be used: put() keeps batches in memory and says why.
      return;
    }
    for (const f of files) {
      if (f.endsWith('.tmp')) {
        rmSync(join(dir, f), { force: true });
        continue;
      }
      const m = /^(\d+)-(\d+)\.batch$/.exec(f);
      if (m === null) continue;
      this.held.push({ file: f, batch: null, n: Number(m[2]) });
      this.seq = Math.max(this.seq, Number(m[1]) + 1);
    }
  }

  /** Events waiting in the spool. */
  get pending(): number {
    let n = 0;
    for (const h of this.held) n += h.n;
    return n;
  }

  get empty(): boolean {
    return this.held.length === 0;
  }

  /**
   * Keeps a batch. Returns 'disk' or 'memory' for where it went, or an Error when it had to be
   * dropped (the spool could not be written and memory is at its bound).
   */
  put(batch: EventBatch): 'disk' | 'memory' | Error {
    let diskError: unknown = null;
    if (this.dir !== null) {
      const name = `${String(this.seq++).padStart(12, '0')}-${batch.n}.batch`;
      const tmp = join(this.dir, `${name}.tmp`);
      try {
        writeFileSync(tmp, serialize(batch));
        renameSync(tmp, join(this.dir, name));
        this.held.push({ file: name, batch: null, n: batch.n });
        return 'disk';
      } catch (e) {
        diskError = e;
        try {
          rmSync(tmp, { force: true });
        } catch {
          // nothing was written there (e.g. the directory is not one)
        }
      }
    }
    if (this.memoryEvents + batch.n <= this.maxMemoryEvents) {
      this.held.push({ file: null, batch, n: batch.n });
      this.memoryEvents += batch.n;
      return 'memory';
    }
    const why = diskError instanceof Error ? `: the spool could not be written (${diskError.message})` : '';
    return new Error(`${batch.n} events dropped: ${this.memoryEvents} events already held in memory${why}`);
  }

  /** The oldest batch, without removing it; throws if its file is unreadable (it is then removed). */
  peek(): EventBatch | null {
    const h = this.held[0];
    if (h === undefined) return null;
    if (h.batch !== null) return h.batch;
    const path = join(this.dir!, h.file!);
    try {
      return deserialize(readFileSync(path)) as EventBatch;
    } catch (e) {
      this.held.shift();
      rmSync(path, { force: true });
      throw new SpoolDamage(`spool file ${h.file} is damaged and was removed (${h.n} events lost): ${(e as Error).message}`, h.n);
    }
  }

  /** Removes the oldest batch once it is in the store. */
  shift(): void {
    const h = this.held.shift();
    if (h === undefined) return;
    if (h.file !== null) rmSync(join(this.dir!, h.file), { force: true });
    else this.memoryEvents -= h.n;
  }
}
