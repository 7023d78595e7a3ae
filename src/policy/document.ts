/**
 * A policy document as people write it (YAML file, console form, API body) → the PolicyDocument
 * the store keeps. Names in allow/deny are normalised the way the gateway compares them (lower
 * case, IDN → punycode, trailing dot removed) and must be DNS names; anything else is a
 * MW_ERR_BAD_INPUT that names the field. Scopes are `global`, `unit:<id>` or `group:<name>`.
 */
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { MinewardenError } from '../core/errors.ts';
import type { BlockAction, CategoryAction, PolicyDocument, PolicyScope } from '../model/policy.ts';

export const CATEGORY_ACTIONS: readonly CategoryAction[] = ['block', 'monitor', 'allow'];
export const BLOCK_ACTIONS: readonly BlockAction[] = ['nxdomain', 'nodata', 'refused', 'sinkhole'];

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** A DNS name in the form the gateway compares (lower case, punycode, no trailing dot), or null. */
export function normalizeName(raw: string): string | null {
  const trimmed = raw.trim().replace(/\.$/, '');
  if (trimmed === '' || /\s/.test(trimmed)) return null;
  // domainToASCII lower-cases and turns IDN labels into punycode; it returns '' for what no host can be.
  const ascii = /^[\x21-\x7e]*$/.test(trimmed) ? trimmed.toLowerCase() : domainToASCII(trimmed);
  if (ascii === '' || ascii.length > 253) return null;
  return ascii.split('.').every((l) => LABEL.test(l)) ? ascii : null;
}

const name = z.string().transform((v, ctx) => {
  const n = normalizeName(v);
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a DNS name (labels of letters, digits, - and _, at most 63 each)` });
    return z.NEVER;
  }
  return n;
});

const categoryAction = z.enum(['block', 'monitor', 'allow'], { error: (i) => `expected block, monitor or allow (got ${JSON.stringify(i.input)})` });
const blockAction = z.enum(['nxdomain', 'nodata', 'refused', 'sinkhole'], { error: (i) => `expected nxdomain, nodata, refused or sinkhole (got ${JSON.stringify(i.input)})` });
const category = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'a category name of letters, digits, . _ : - (at most 64)');

/** The document schema: every key optional on input, lists deduplicated and sorted on output. */
export const policyDocumentSchema = z.strictObject({
  categories: z.record(category, categoryAction).default({}),
  defaultAction: categoryAction.optional(),
  allow: z.array(name).default([]).transform((l) => [...new Set(l)].sort()),
  deny: z.array(name).default([]).transform((l) => [...new Set(l)].sort()),
  blockAction: blockAction.optional(),
});

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

/** Validates and normalises a document; a bad one is MW_ERR_BAD_INPUT listing every problem. */
export function parseDocument(input: unknown): PolicyDocument {
  const r = policyDocumentSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      const where = issuePath(i.path);
      if (i.code === 'unrecognized_keys') return `unknown key${i.keys.length === 1 ? '' : 's'} ${i.keys.join(', ')}${where === '' ? '' : ` in ${where}`} (known: categories, defaultAction, allow, deny, blockAction)`;
      return `${where === '' ? 'document' : where}: ${i.message}`;
    });
    throw new MinewardenError('MW_ERR_BAD_INPUT', `invalid policy document: ${lines.join('; ')}`);
  }
  const d = r.data;
  return {
    categories: d.categories, allow: d.allow, deny: d.deny,
    ...(d.defaultAction === undefined ? {} : { defaultAction: d.defaultAction }),
    ...(d.blockAction === undefined ? {} : { blockAction: d.blockAction }),
  };
}

export const EMPTY_DOCUMENT: Readonly<PolicyDocument> = Object.freeze({ categories: {}, allow: [], deny: [] });

export type ParsedScope = { kind: 'global' } | { kind: 'unit'; id: string } | { kind: 'group'; name: string };

export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseScope(scope: PolicyScope): ParsedScope {
  const s = String(scope).trim();
  if (s === 'global') return { kind: 'global' };
  const m = /^(unit|group):(.+)$/.exec(s);
  if (m !== null) {
    const v = m[2]!;
    if (m[1] === 'unit' && /^\S{1,128}$/.test(v)) return { kind: 'unit', id: v };
    if (m[1] === 'group' && GROUP_NAME.test(v)) return { kind: 'group', name: v };
  }
  throw new MinewardenError('MW_ERR_BAD_INPUT', `"${s}" is not a policy scope (global, unit:<unit id> or group:<name>)`);
}

export function formatScope(s: ParsedScope): PolicyScope {
  return s.kind === 'global' ? 'global' : s.kind === 'unit' ? `unit:${s.id}` : `group:${s.name}`;
}
