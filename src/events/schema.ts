/**
 * Events as JSON (one object per line): the schema every JSON ingest path validates with — `events
 * import` today, the HTTP ingest endpoint of the sensors later. `ts` is epoch ms or an ISO
 * date-time; every other field is as in model/events.ts.
 */
import { z } from 'zod';
import { DNS_OUTCOMES, SEVERITIES, type MinewardenEvent } from '../model/events.ts';

const time = z.unknown().transform((v, ctx) => {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  ctx.addIssue({ code: 'custom', message: v === undefined ? 'is required' : `${JSON.stringify(v)} is not a time (epoch ms or ISO date-time)` });
  return z.NEVER;
});
const count = z.number().int().nonnegative();
const port = z.number().int().min(0).max(65535);
const text = z.string().nullish();

const base = {
  ts: time,
  client: z.string().min(1),
  site: z.string().optional(),
  unit: z.string().nullish(),
};

const dns = z.strictObject({
  ...base, kind: z.literal('dns'), via: text, name: z.string().min(1).transform((n) => n.toLowerCase().replace(/\.$/, '')),
  qtype: z.number().int().min(0).max(65535), rcode: z.number().int().min(0).max(255), outcome: z.enum(DNS_OUTCOMES),
  reason: text, indicator: text, category: text, latencyUs: count.default(0),
});
const flow = z.strictObject({
  ...base, kind: z.literal('flow'), end: time, src: z.string().min(1), srcPort: port, dst: z.string().min(1), dstPort: port,
  proto: z.number().int().min(0).max(255), bytesOut: count, pktsOut: count, bytesIn: count.default(0), pktsIn: count.default(0),
  tcpState: text, sensor: z.string().default(''),
});
const http = z.strictObject({
  ...base, kind: z.literal('http'), server: z.string(), serverPort: port.default(80), method: z.string(), host: z.string(), url: z.string(),
  status: z.number().int().min(0).max(999).default(0), userAgent: text, contentType: text, size: count.default(0), sensor: z.string().default(''),
});
const tls = z.strictObject({
  ...base, kind: z.literal('tls'), server: z.string(), serverPort: port.default(443), sni: text, ja3: text, ja4: text, version: text,
  subject: text, issuer: text, sensor: z.string().default(''),
});
const sinkhole = z.strictObject({
  ...base, kind: z.literal('sinkhole'), port, proto: z.enum(['tcp', 'udp']), name: text, said: text,
});
const alert = z.strictObject({
  ...base, kind: z.literal('alert'), detector: z.string().min(1), severity: z.enum(SEVERITIES), title: z.string().min(1), indicator: text,
  evidence: z.record(z.string(), z.unknown()).default({}),
});

export const eventSchema = z.discriminatedUnion('kind', [dns, flow, http, tls, sinkhole, alert]);

/** One JSON text → an event, or the reason it is not one. */
export function parseEventJson(line: string): { ok: true; event: MinewardenEvent } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  const r = eventSchema.safeParse(raw);
  if (!r.success) {
    return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ') };
  }
  // The schema's output is the event type field for field (null and undefined text both allowed).
  return { ok: true, event: r.data as MinewardenEvent };
}
