/**
 * Detection wired into the process (composition root): the detector runtime over the intelligence
 * and the event store; a tapped event output so that every event a sensor or the gateway records
 * passes the stream detectors first; sensor callbacks (payload lines, files, HTTP bodies) turned
 * into the detectors' neutral types; alerts recorded as `alert` events and folded into incidents.
 */
import type { Alert } from '../model/detect.ts';
import type { AlertEvent, DnsEvent, MinewardenEvent } from '../model/events.ts';
import { DETECTORS, DetectorRuntime, threatView, type FileLine } from '../detect/index.ts';
import type { EveFileSeen, PayloadMessage, PcapHttp, SensorContext, ZeekFileSeen } from '../sensors/index.ts';
import type { App } from './app.ts';

export interface Detection {
  runtime: DetectorRuntime;
  /** The sensors' context with the tap and the callbacks in place. */
  context: SensorContext;
  /** Wraps a query log (the gateway's) so its events reach the stream detectors too. */
  tap(next: { record(ev: DnsEvent): boolean }): { record(ev: DnsEvent): boolean };
  /** Resolves when every alert so far is folded into incidents. */
  settled(): Promise<void>;
}

function alertEvent(a: Alert): AlertEvent {
  return {
    kind: 'alert', ts: a.ts, client: a.client, site: a.site, ...(a.unit === undefined ? {} : { unit: a.unit }),
    detector: a.detector, severity: a.severity, title: a.title, indicator: a.indicator ?? null,
    evidence: { ...a.evidence, stage: a.stage, threat: a.threat, confidence: a.confidence, controller: a.controller ?? null },
  };
}

function fromZeekOrEve(f: ZeekFileSeen | EveFileSeen): FileLine | null {
  if ('fuid' in f) {
    if (f.client === null) return null;
    return { ts: f.ts, client: f.client, site: f.site, server: f.txHosts[0] ?? f.http?.server ?? null, host: f.http?.host ?? null, url: f.http?.url ?? null, mime: f.mimeType, head: null, sha256: f.sha256, md5: f.md5 };
  }
  const head = f.magic !== null && /^(PE32|MS-DOS)/.test(f.magic) ? Uint8Array.of(0x4d, 0x5a) : f.magic !== null && /^ELF/.test(f.magic) ? Uint8Array.of(0x7f, 0x45, 0x4c, 0x46) : null;
  return { ts: f.ts, client: f.client, site: f.site ?? '', server: f.server, host: f.host, url: f.url, mime: f.mime, head, sha256: f.sha256, md5: f.md5 };
}

function fromPcapHttp(h: PcapHttp): FileLine {
  const e = h.event;
  return { ts: e.ts, client: e.client, site: e.site ?? '', server: e.server, host: e.host === '' ? null : e.host, url: e.url, mime: e.contentType ?? null, head: h.bodyHead, sha256: null, md5: null };
}

export function startDetection(app: App, opts: { schedule: boolean }): Detection {
  let pending: Promise<unknown> = Promise.resolve();
  const base = app.sensorContext();
  const runtime = new DetectorRuntime(DETECTORS, {
    intel: threatView(app.engine),
    store: app.store.events,
    unitOf: (client, site) => app.org.resolve(client, site)?.unitId ?? null,
    isInternal: (a) => base.isInternal(a),
    onAlert: (a) => {
      // Straight to the sink, not through the tap: an alert must not be detected again.
      app.sink.record(alertEvent(a));
      pending = pending.then(() => app.incidents.ingest([a])).catch((e: unknown) => app.log.error({ component: 'detect' }, `incident not updated: ${e instanceof Error ? e.message : String(e)}`));
    },
    disabled: app.config.detect.disabled,
    params: app.config.detect.params,
    onError: (id, e) => app.log.warn({ component: 'detect', detector: id }, `detector failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (opts.schedule) runtime.schedule();
  const output = {
    record: (ev: MinewardenEvent): boolean => {
      runtime.observe(ev);
      return app.sink.record(ev);
    },
    noteHostName: base.output.noteHostName.bind(base.output),
    drained: () => app.sink.drained(),
  };
  const context: SensorContext = {
    ...base, output,
    onFile: (f) => {
      const line = fromZeekOrEve(f);
      if (line !== null) runtime.file(line);
    },
    onPayload: (m: PayloadMessage) => runtime.payload(m),
    onHttp: (h: PcapHttp) => runtime.file(fromPcapHttp(h)),
  };
  return {
    runtime, context,
    tap: (next) => ({
      record: (ev: DnsEvent) => {
        runtime.observe(ev);
        return next.record(ev);
      },
    }),
    settled: async () => {
      await pending;
    },
  };
}
