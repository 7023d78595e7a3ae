/**
 * Alerts arriving from outside the process (the control socket, a file) are checked here before
 * they fold: a wrong field becomes a clear error naming it, not a broken incident.
 */
import { z } from 'zod';
import { MinewardenError } from '../core/errors.ts';
import { KILL_CHAIN, type Alert } from '../model/detect.ts';
import { SEVERITIES } from '../model/events.ts';

const ALERT = z.strictObject({
  detector: z.string().min(1),
  ts: z.number().finite().nonnegative(),
  client: z.string().min(1),
  site: z.string(),
  unit: z.string().nullable().optional(),
  severity: z.enum(SEVERITIES),
  confidence: z.number().min(0).max(100),
  stage: z.enum(KILL_CHAIN),
  threat: z.string().min(1),
  title: z.string().min(1),
  indicator: z.string().nullable().optional(),
  controller: z.string().nullable().optional(),
  evidence: z.record(z.string(), z.unknown()),
  events: z.array(z.strictObject({ kind: z.string(), ts: z.number(), client: z.string(), site: z.string() })).optional(),
});

export function parseAlert(v: unknown, where = 'alert'): Alert {
  const r = ALERT.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '' : ` ${issue.path.join('.')}`;
  throw new MinewardenError('MW_ERR_BAD_INPUT', `${where}:${path} ${issue?.message ?? 'invalid'}`);
}
