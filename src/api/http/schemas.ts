/**
 * The API's shapes, as zod schemas: requests are validated against them, responses serialised
 * through them, and the OpenAPI document is generated from them. Domain objects with open-ended
 * parts (an incident's evidence, an event's fields per kind) are loose objects: their known
 * fields are checked, the rest passes.
 */
import { z } from 'zod';
import { ROLES, PERMISSIONS } from '../../model/auth.ts';
import { INCIDENT_STATES, KILL_CHAIN } from '../../model/detect.ts';
import { DNS_OUTCOMES, SEVERITIES, type StoredEvent } from '../../model/events.ts';
import type { Incident } from '../../model/detect.ts';
import type { Unit } from '../../model/org.ts';
import type { FeedStatus, StoredIndicator } from '../../model/indicator.ts';
import type { IncidentSummary } from '../../store/index.ts';

/**
 * A loose object typed as the domain type it carries. zod types a loose object with an index
 * signature, which the domain interfaces do not have; at run time it is the loose object (known
 * fields checked, the rest passed through), so the cast changes only what TypeScript sees.
 */
function loose<T>(shape: z.ZodRawShape): z.ZodType<T> {
  return z.looseObject(shape) as unknown as z.ZodType<T>;
}

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export const okSchema = z.object({ ok: z.literal(true) });

export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const paging = { limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional() };
export const csv = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));
export const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');

export const roleSchema = z.enum(ROLES);
export const userSchema = z.object({
  id: z.number(), username: z.string(), displayName: z.string(), role: roleSchema, units: z.array(z.string()),
  language: z.enum(['en', 'zh']), disabled: z.boolean(), totpEnabled: z.boolean(), createdAt: z.number(),
  lastLoginAt: z.number().nullable(), failedLogins: z.number(), lockedUntil: z.number().nullable(),
});
export const sessionInfo = z.object({
  user: userSchema, permissions: z.array(z.enum(PERMISSIONS)), csrfToken: z.string().nullable(), mustEnrollTotp: z.boolean(),
});
export const tokenSchema = z.object({
  id: z.string(), name: z.string(), userId: z.number(), prefix: z.string(), createdAt: z.number(), lastUsedAt: z.number().nullable(), expiresAt: z.number().nullable(),
});
export const auditSchema = z.object({
  id: z.number(), at: z.number(), actor: z.string(), action: z.string(), target: z.string(), before: z.unknown(), after: z.unknown(), ip: z.string().nullable(),
});

export const severitySchema = z.enum(SEVERITIES);
const incidentHost = z.object({ client: z.string(), site: z.string(), unit: z.string().nullable(), firstSeen: z.number(), lastSeen: z.number() });
const summaryShape = {
  id: z.number(), kind: z.enum(['host', 'campaign']), threat: z.string(), title: z.string(), severity: severitySchema, confidence: z.number(),
  stage: z.enum(KILL_CHAIN), unit: z.string().nullable(), hosts: z.array(incidentHost), controller: z.string().nullable(), indicator: z.string().nullable(),
  firstSeen: z.number(), lastSeen: z.number(), state: z.enum(INCIDENT_STATES), assignee: z.string().nullable(), alerts: z.number(),
  campaignId: z.number().nullable(), updatedAt: z.number(),
};
export const incidentSummarySchema = loose<IncidentSummary>(summaryShape);
export const incidentSchema = loose<Incident>({
  ...summaryShape,
  notes: z.array(z.object({ at: z.number(), by: z.string(), text: z.string() })),
  timeline: z.array(z.looseObject({ ts: z.number(), client: z.string(), detector: z.string(), stage: z.enum(KILL_CHAIN), title: z.string(), evidence: z.record(z.string(), z.unknown()) })),
});
export const incidentChangeSchema = z.object({ at: z.number(), by: z.string(), field: z.enum(['state', 'assignee']), from: z.string().nullable(), to: z.string().nullable() });

export const hostSchema = z.object({
  id: z.number(), site: z.string(), address: z.string(), unit: z.string().nullable(), firstSeen: z.number(), lastSeen: z.number(),
  names: z.array(z.object({ name: z.string(), source: z.string(), ts: z.number() })),
});
export const eventSchema = loose<StoredEvent>({ kind: z.string(), ts: z.number(), client: z.string(), hostId: z.number(), site: z.string(), unit: z.string().nullable() });
export const outcomeSchema = z.enum(DNS_OUTCOMES);

export const seriesSchema = z.object({ t: z.array(z.number()), queries: z.array(z.number()), blocked: z.array(z.number()) });
export const unitNodeSchema = z.object({
  id: z.string(), name: z.string(), parentId: z.string().nullable(), kind: z.string().nullable(), status: z.enum(['ok', 'warning', 'infected']),
  openIncidents: z.number(), maxSeverity: severitySchema.nullable(), infectedHosts: z.number(), blocked24h: z.number(),
});
export const unitSchema = loose<Unit>({ id: z.string(), name: z.string(), parentId: z.string().nullable(), cidrs: z.array(z.string()), site: z.string(), egress: z.array(z.string()) });

export const categoryAction = z.enum(['block', 'monitor', 'allow']);
export const policyDocumentSchema = z.object({
  categories: z.record(z.string(), categoryAction).default({}),
  defaultAction: categoryAction.optional(),
  allow: z.array(z.string()).default([]),
  deny: z.array(z.string()).default([]),
  blockAction: z.enum(['nxdomain', 'nodata', 'refused', 'sinkhole']).optional(),
});
export const policyVersionSchema = z.object({
  scope: z.string(), version: z.number(), document: policyDocumentSchema, author: z.string(), createdAt: z.number(), comment: z.string(), rolledBackFrom: z.number().nullable(),
});
export const policyGroupSchema = z.object({ name: z.string(), description: z.string(), units: z.array(z.string()), updatedAt: z.number() });
export const gatewaySchema = z.object({
  id: z.string(), hostname: z.string(), startedAt: z.number(), lastSeenAt: z.number(), policyRevision: z.number(), appliedAt: z.number().nullable(),
});

export const indicatorSchema = loose<StoredIndicator>({ type: z.string(), value: z.string(), source: z.string(), category: z.string(), confidence: z.number(), status: z.string() });
export const allowSchema = z.object({ type: z.string(), value: z.string(), comment: z.string(), addedAt: z.number() });
export const feedStatusSchema = loose<FeedStatus>({ name: z.string() });
export { loose };
export const healthSchema = z.object({
  kind: z.enum(['sensor', 'feed']), name: z.string(), status: z.enum(['ok', 'stale', 'failing']), events: z.number().nullable(), errors: z.number().nullable(),
  lastEvent: z.number().nullable(), detail: z.string(),
});
