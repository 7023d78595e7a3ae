/**
 * Files in, verdicts out: sensors read the files into a store, the stream detectors watch them go
 * by, the windowed detectors then run once over the whole span the files cover, and the alerts
 * fold into incidents. `minewarden analyze` does it on a throw-away store; `minewarden ingest`
 * on the data directory.
 */
import type { Incident } from '../model/detect.ts';
import type { FileKind, ReadResult } from '../sensors/index.ts';
import { readFiles } from '../sensors/index.ts';
import type { App } from './app.ts';
import { startDetection, type Detection } from './detection.ts';

export interface AnalysisResult {
  files: ReadResult[];
  /** The span the events cover, ms. */
  span: { from: number; to: number } | null;
  incidents: Incident[];
  detectors: ReturnType<Detection['runtime']['list']>;
}

/** Reads the files with detection on, runs the windowed detectors over their span, returns the incidents touched. */
export async function analyzeFiles(app: App, paths: readonly string[], opts: { kind?: FileKind; site?: string; detection?: Detection } = {}): Promise<AnalysisResult> {
  const detection = opts.detection ?? startDetection(app, { schedule: false });
  const files = await readFiles(paths, detection.context, { ...(opts.kind === undefined ? {} : { kind: opts.kind }), ...(opts.site === undefined ? {} : { site: opts.site }) });
  detection.runtime.flush();
  await app.sink.flush();
  const stats = await app.store.events.stats();
  let from = Infinity;
  let to = -Infinity;
  for (const k of Object.values(stats.kinds)) {
    if (k.oldest !== null) from = Math.min(from, k.oldest);
    if (k.newest !== null) to = Math.max(to, k.newest);
  }
  const span = Number.isFinite(from) ? { from, to: to + 1 } : null;
  if (span !== null) await detection.runtime.runWindows(span.from, span.to);
  await detection.settled();
  await app.sink.flush();
  const touched = await app.store.incidents.list({ limit: 10_000 });
  const incidents: Incident[] = [];
  for (const s of touched) {
    if (span === null || s.lastSeen < span.from) continue; // incidents this data touched
    const full = await app.store.incidents.get(s.id);
    if (full !== null) incidents.push(full);
  }
  incidents.sort((a, b) => (a.kind === b.kind ? a.id - b.id : a.kind === 'campaign' ? -1 : 1));
  return { files, span, incidents, detectors: detection.runtime.list() };
}
