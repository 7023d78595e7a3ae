/** Terminal output helpers: aligned tables, JSON lines, and a progress bar only on a terminal. */
import cliProgress from 'cli-progress';

export function table(rows: Array<Record<string, string | number>>, out: NodeJS.WritableStream = process.stdout): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(width[i] ?? 0)).join('  ').trimEnd();
  out.write(`${line(cols.map((c) => c.toUpperCase()))}\n`);
  for (const r of rows) out.write(`${line(cols.map((c) => String(r[c] ?? '')))}\n`);
}

export function json(value: unknown, out: NodeJS.WritableStream = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** A bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
export function progress(label: string, total: number): Progress {
  if (!process.stderr.isTTY || total < 10_000) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} lines | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done) => {
      if (!stopped) bar.update(Math.min(done, total));
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.update(total);
      bar.stop();
    },
  };
}
