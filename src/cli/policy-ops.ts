/**
 * The policy operations of OPS (run on the server through the control socket, or locally). On a
 * server a change made here reaches its gateway at once (PolicyService.onChange → PolicyApplier);
 * other gateways see the store's revision move on their next poll. Params arrive as JSON from the
 * socket, so each operation checks what it reads (the service validates documents and scopes).
 */
import { MinewardenError } from '../core/errors.ts';
import type { GatewayStatus, PolicyDocument, PolicyGroup, PolicyVersion } from '../model/policy.ts';
import { parseDocument, type EffectivePolicy } from '../policy/index.ts';
import type { App } from './app.ts';

/** Quick edits on top of a document (the CLI's --block, --monitor, --allow, --deny, --block-action). */
export interface PolicyEdits {
  block?: string[];
  monitor?: string[];
  /** Categories set to allow (`--allow-category`). */
  allowCategory?: string[];
  allow?: string[];
  deny?: string[];
  blockAction?: string;
}

export interface PolicySetParams {
  scope: string;
  /** A whole document (from --file); without it the edits go on top of the current one. */
  document?: unknown;
  edits?: PolicyEdits;
  actor: string;
  comment?: string;
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new MinewardenError('MW_ERR_BAD_INPUT', `${what} must be a list of strings`);
  return v as string[];
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new MinewardenError('MW_ERR_BAD_INPUT', `${what} is required`);
  return v.trim();
}

/** The document with the edits applied; the result is validated by the service. */
export function applyEdits(doc: PolicyDocument, e: PolicyEdits): Record<string, unknown> {
  const categories: Record<string, string> = { ...doc.categories };
  for (const c of strings(e.block, 'block')) categories[c] = 'block';
  for (const c of strings(e.monitor, 'monitor')) categories[c] = 'monitor';
  for (const c of strings(e.allowCategory, 'allowCategory')) categories[c] = 'allow';
  return {
    ...doc,
    categories,
    allow: [...doc.allow, ...strings(e.allow, 'allow')],
    deny: [...doc.deny, ...strings(e.deny, 'deny')],
    ...(e.blockAction === undefined ? {} : { blockAction: e.blockAction }),
  };
}

export const POLICY_OPS = {
  'policy.list': async (app: App, _p: Record<string, never>): Promise<{ revision: number; current: PolicyVersion[]; groups: PolicyGroup[] }> => {
    const [revision, current, groups] = await Promise.all([app.policy.revision(), app.policy.current(), app.policy.listGroups()]);
    return { revision, current, groups };
  },
  'policy.show': (app: App, p: { scope: string }) => app.policy.get(text(p.scope, 'scope')),
  'policy.set': async (app: App, p: PolicySetParams): Promise<PolicyVersion> => {
    const scope = text(p.scope, 'scope');
    const base = p.document === undefined ? ((await app.policy.get(scope))?.document ?? parseDocument({})) : parseDocument(p.document);
    const doc = p.edits === undefined ? base : applyEdits(base, p.edits);
    return app.policy.set(scope, doc, text(p.actor, 'actor'), typeof p.comment === 'string' ? p.comment : '');
  },
  'policy.history': (app: App, p: { scope: string; limit?: number }) => app.policy.history(text(p.scope, 'scope'), typeof p.limit === 'number' ? p.limit : undefined),
  'policy.rollback': (app: App, p: { scope: string; version: number; actor: string; comment?: string }) =>
    app.policy.rollback(text(p.scope, 'scope'), Number(p.version), text(p.actor, 'actor'), typeof p.comment === 'string' ? p.comment : undefined),
  'policy.clear': (app: App, p: { scope: string; actor: string; comment?: string }) =>
    app.policy.clear(text(p.scope, 'scope'), text(p.actor, 'actor'), typeof p.comment === 'string' ? p.comment : ''),
  'policy.effective': (app: App, p: { unit: string }): Promise<EffectivePolicy> => {
    const unit = text(p.unit, 'unit');
    if (app.org.tree().get(unit) === undefined) throw new MinewardenError('MW_ERR_NOT_FOUND', `no unit "${unit}"`);
    return app.policy.effective(unit);
  },
  'policy.group.set': (app: App, p: { name: string; units: string[]; description?: string; actor: string }) =>
    app.policy.putGroup(text(p.name, 'name'), { units: strings(p.units, 'units'), ...(typeof p.description === 'string' ? { description: p.description } : {}) }, text(p.actor, 'actor')),
  'policy.group.list': (app: App, _p: Record<string, never>) => app.policy.listGroups(),
  'policy.group.rm': async (app: App, p: { name: string; actor: string }): Promise<{ deleted: string }> => {
    const name = text(p.name, 'name');
    if (!(await app.policy.deleteGroup(name, text(p.actor, 'actor')))) throw new MinewardenError('MW_ERR_NOT_FOUND', `no policy group "${name}"`);
    return { deleted: name };
  },
  /** Gateways heard from in the last 5 minutes, with the current revision to compare. */
  'policy.gateways': async (app: App, _p: Record<string, never>): Promise<{ revision: number; gateways: GatewayStatus[] }> => {
    const [revision, gateways] = await Promise.all([app.policy.revision(), app.policy.gateways()]);
    return { revision, gateways };
  },
} as const;
