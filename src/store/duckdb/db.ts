/**
 * One DuckDB database file and one connection, with statements run one at a time in order
 * (a DuckDB connection runs one statement at a time; the queue makes that explicit instead of
 * relying on the binding). DuckDB's own threads do the work, so the event loop stays free.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { MinewardenError, errorMessage } from '../../core/errors.ts';

export type Row = Record<string, DuckDBValue>;
export type Params = DuckDBValue[];

export class Db {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly path: string,
    /** A second connection on the same database: closing it leaves the instance open. */
    private readonly secondary = false,
  ) {}

  /**
   * Another connection to the same database with its own queue, for reads that should not wait
   * behind writes (DuckDB's MVCC gives each statement a consistent snapshot).
   */
  async connection(): Promise<Db> {
    return new Db(this.instance, await this.instance.connect(), this.path, true);
  }

  static async open(path: string, opts: { memoryLimit: string; threads?: number }): Promise<Db> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { memory_limit: opts.memoryLimit, threads: String(opts.threads ?? 2) });
    } catch (e) {
      const msg = errorMessage(e);
      if (/lock/i.test(msg)) {
        throw new MinewardenError(
          'MW_ERR_STORE',
          `the database ${path} is in use by another Minewarden process (${msg.split('\n')[0]}); stop it or use another --data-dir`,
          { cause: e },
        );
      }
      throw new MinewardenError('MW_ERR_STORE', `cannot open the database ${path}: ${msg}`, { cause: e });
    }
    const conn = await instance.connect();
    return new Db(instance, conn, path);
  }

  /** Runs `fn` after every statement queued before it; the queue survives a failing statement. */
  exclusive<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new MinewardenError('MW_ERR_STORE', 'the store is closed'));
    const run = this.queue.then(() => fn(this.conn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  run(sql: string, params?: Params): Promise<void> {
    return this.exclusive(async (c) => {
      await c.run(sql, params);
    });
  }

  all(sql: string, params?: Params): Promise<Row[]> {
    return this.exclusive(async (c) => {
      const reader = await c.runAndReadAll(sql, params);
      return reader.getRowObjects();
    });
  }

  /** Runs `fn` inside BEGIN/COMMIT, rolling back on error. */
  transaction<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.exclusive(async (c) => {
      await c.run('BEGIN TRANSACTION');
      try {
        const out = await fn(c);
        await c.run('COMMIT');
        return out;
      } catch (e) {
        await c.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue;
    this.closed = true;
    this.conn.closeSync();
    if (!this.secondary) this.instance.closeSync();
  }
}

/** DuckDB numbers come back as number or bigint depending on the column type. */
export function num(v: DuckDBValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return 0;
}

export function str(v: DuckDBValue | undefined): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}
