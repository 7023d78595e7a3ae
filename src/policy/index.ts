/**
 * Front door of policy: DNS policies issued centrally — documents validated and versioned per
 * scope (global, unit, group), groups of units, and the compilation into the `dns.policy` every
 * gateway applies. Knows neither intel nor org nor auth: it is handed what it needs.
 */
export { PolicyService, type PolicyAuditEntry, type PolicyChange, type PolicyListener, type PolicyServiceDeps } from './service.ts';
export { compilePolicy, effectivePolicy, type DnsPolicy, type EffectivePolicy, type Origin } from './compile.ts';
export {
  BLOCK_ACTIONS, CATEGORY_ACTIONS, EMPTY_DOCUMENT, formatScope, normalizeName, parseDocument, parseScope, policyDocumentSchema, type ParsedScope,
} from './document.ts';
