/**
 * Minewarden's own JSON events, one per line (the `events import` schema): what the HTTP ingest
 * receives and what `ingest` reads from an events file. A bad line is counted with its number and
 * a sample, and skipped; the writer being behind slows the reader down, it never loses a line.
 */
import { parseEventJson } from '../events/index.ts';
import type { EventOutput, SensorHealth } from './types.ts';

export interface JsonLinesResult {
  accepted: number;
  rejected: number;
  /** The first bad lines (at most `maxErrors`): number and why. */
  errors: Array<{ line: number; error: string }>;
}

export async function recordJsonLines(lines: readonly string[], output: EventOutput, health: SensorHealth, opts: { firstLine?: number; maxErrors?: number } = {}): Promise<JsonLinesResult> {
  const first = opts.firstLine ?? 1;
  const out: JsonLinesResult = { accepted: 0, rejected: 0, errors: [] };
  let behind = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const r = parseEventJson(line);
    if (!r.ok) {
      out.rejected++;
      health.bad(`line ${first + i}: ${r.error}`, line);
      if (out.errors.length < (opts.maxErrors ?? 20)) out.errors.push({ line: first + i, error: r.error });
      continue;
    }
    behind = !output.record(r.event) || behind;
    out.accepted++;
  }
  if (out.accepted > 0) health.ok(out.accepted);
  if (behind) await output.drained();
  return out;
}
