/**
 * `rpz`: DNS Response Policy Zones (draft-vixie-dnsop-dns-rpz) in master-file syntax
 * (RFC 1035 §5: $ORIGIN, $TTL, `;` comments, `( … )` across lines, `@`, relative owners, a
 * blank owner repeating the previous one). Owner names are triggers relative to the zone apex:
 *   bad.example CNAME .        NXDOMAIN   → block bad.example
 *   bad.example CNAME *.       NODATA     → block
 *   bad.example CNAME rpz-drop.           → block
 *   bad.example A 192.0.2.1    local data → block (answered with a walled garden)
 *   *.bad.example …                       → the domain bad.example
 *   32.1.2.0.192.rpz-ip …      response IP trigger → 192.0.2.1 (24.… → a CIDR)
 * `CNAME rpz-passthru.` (and the old form, a CNAME to the owner itself) is an exemption the zone
 * author vouches for, not a threat: it is skipped, not emitted as an informational indicator,
 * so that a passthru entry can never raise an alert. rpz-tcp-only, rpz-nsdname, rpz-nsip and
 * rpz-client-ip triggers are skipped too (they do not name what a client looks up).
 */
import type { FeedParser, ParseItem } from './types.ts';
import { decodeRpzIp } from './rpz-ip.ts';
import { indicatorItem, lines, rejected, skipped } from './util.ts';

interface Tokens {
  tokens: string[];
  depth: number;
  error?: string;
}

/** Tokens of one physical line: whitespace separated, `"…"` kept whole, `;` to end of line dropped. */
function tokenize(line: string, depth: number): Tokens {
  const tokens: string[] = [];
  let cur = '';
  let quoted = false;
  const flush = (): void => {
    if (cur !== '') tokens.push(cur);
    cur = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '\\' && i + 1 < line.length) {
      cur += c + (line[++i] ?? '');
    } else if (quoted) {
      cur += c;
      if (c === '"') quoted = false;
    } else if (c === '"') {
      cur += c;
      quoted = true;
    } else if (c === ';') {
      break;
    } else if (c === '(' || c === ')') {
      flush();
      depth += c === '(' ? 1 : -1;
      if (depth < 0) return { tokens, depth, error: "')' without '('" };
    } else if (c === ' ' || c === '\t') {
      flush();
    } else {
      cur += c;
    }
  }
  if (quoted) return { tokens, depth, error: 'unterminated quoted string' };
  flush();
  return { tokens, depth };
}

/** No RR type needs more; SOA has 7 rdata fields, TXT strings are few. */
const MAX_TOKENS = 1000;
const TTL = /^\d+[smhdw]?(\d+[smhdw])*$/i;
const CLASS = /^(IN|CH|HS|CS)$/i;
const TYPE = /^[A-Z][A-Z0-9-]*$/i;

/** Zone state while reading: names are kept absolute, lower case, with the trailing dot. */
interface Zone {
  origin?: string;
  apex?: string;
  lastOwner?: string;
  lastKey?: string;
}

function absolute(name: string, z: Zone): string {
  const n = name.toLowerCase();
  if (n === '@') return z.origin ?? '.';
  if (n.endsWith('.')) return n;
  return z.origin === undefined || z.origin === '.' ? `${n}.` : `${n}.${z.origin}`;
}

/** The trigger name: the owner relative to the apex, '' at the apex, null outside the zone. */
function relative(owner: string, z: Zone): string | null {
  if (z.apex === undefined) return owner === '.' ? '' : owner.slice(0, -1);
  if (owner === z.apex) return '';
  if (z.apex === '.') return owner.slice(0, -1);
  return owner.endsWith(`.${z.apex}`) ? owner.slice(0, -(z.apex.length + 1)) : null;
}

type Action = 'block' | 'passthru' | 'tcp-only';

function actionOf(type: string, rdata: string[], trigger: string): Action {
  if (type !== 'CNAME') return 'block';
  const target = (rdata[0] ?? '').toLowerCase().replace(/\.$/, '');
  if (target === 'rpz-passthru' || target === trigger) return 'passthru';
  if (target === 'rpz-tcp-only') return 'tcp-only';
  return 'block'; // '.' NXDOMAIN, '*.' NODATA, rpz-drop, or a walled-garden name
}

function* record(no: number, tokens: string[], inherit: boolean, raw: string, z: Zone): Generator<ParseItem> {
  const first = tokens[0] ?? '';
  if (!inherit && first.startsWith('$')) {
    const directive = first.toUpperCase();
    if (directive === '$ORIGIN' && tokens[1] !== undefined) {
      const o = tokens[1].toLowerCase();
      z.origin = o.endsWith('.') ? o : absolute(o, z);
      if (z.apex === undefined) z.apex = z.origin;
    } else if (directive === '$INCLUDE') yield skipped(no, '$INCLUDE not followed');
    else if (directive !== '$TTL') yield rejected(no, `unknown directive ${directive}`, raw);
    return;
  }
  let owner: string | undefined;
  if (inherit) owner = z.lastOwner;
  else owner = absolute(tokens.shift() ?? '', z);
  if (owner === undefined) {
    yield rejected(no, 'record without an owner name', raw);
    return;
  }
  z.lastOwner = owner;
  while (tokens.length > 0 && (TTL.test(tokens[0] ?? '') || CLASS.test(tokens[0] ?? ''))) tokens.shift();
  const type = (tokens.shift() ?? '').toUpperCase();
  if (!TYPE.test(type)) {
    yield rejected(no, 'record without a type', raw);
    return;
  }
  if (type === 'SOA' && z.apex === undefined) z.apex = owner;
  const trigger = relative(owner, z);
  if (trigger === null) {
    yield rejected(no, 'owner name outside the zone', raw);
    return;
  }
  if (trigger === '') return; // apex: SOA, NS and zone metadata
  if (type === 'NS' || type === 'SOA') {
    yield skipped(no, `${type} record below the apex`);
    return;
  }
  const action = actionOf(type, tokens, trigger);
  const key = `${trigger}|${action}`;
  // Several records at one owner (A and AAAA local data) are one policy.
  if (key === z.lastKey) return;
  z.lastKey = key;
  yield policyItem(no, trigger, action, raw);
}

function policyItem(no: number, trigger: string, action: Action, raw: string): ParseItem {
  const dot = trigger.lastIndexOf('.');
  const last = dot >= 0 ? trigger.slice(dot + 1) : trigger;
  if (last === 'rpz-nsdname' || last === 'rpz-nsip' || last === 'rpz-client-ip') return skipped(no, `${last} trigger`);
  if (action === 'passthru') return skipped(no, 'rpz-passthru (exemption)');
  if (action === 'tcp-only') return skipped(no, 'rpz-tcp-only');
  if (last === 'rpz-ip') {
    const ip = decodeRpzIp(trigger.slice(0, dot));
    return ip.ok ? indicatorItem(ip.value, no, { type: ip.type }) : rejected(no, ip.error, raw);
  }
  if (last.startsWith('rpz-')) return skipped(no, `${last} trigger`);
  return indicatorItem(trigger.startsWith('*.') ? trigger.slice(2) : trigger, no, { type: 'domain' });
}

function* parse(text: string): Generator<ParseItem> {
  const z: Zone = {};
  let tokens: string[] = [];
  let depth = 0;
  let startNo = 0;
  let inherit = false;
  let raw = '';
  for (const [no, line] of lines(text)) {
    if (depth === 0) {
      tokens = [];
      startNo = no;
      inherit = /^[ \t]/.test(line);
      raw = line;
    }
    const t = tokenize(line, depth);
    // A loop, not push(...): a binary blob can hold more tokens than a call takes arguments.
    for (const tok of t.tokens) tokens.push(tok);
    depth = t.depth;
    const error = t.error ?? (depth > 0 && no - startNo >= 50 ? "'(' not closed within 50 lines" : tokens.length > MAX_TOKENS ? 'record too long' : undefined);
    if (error !== undefined) {
      yield rejected(startNo, error, raw);
      depth = 0;
      tokens = [];
      continue;
    }
    if (depth > 0 || tokens.length === 0) continue;
    yield* record(startNo, tokens, inherit, raw, z);
  }
  if (depth > 0) yield rejected(startNo, "'(' not closed at end of file", raw);
}

function sniff(head: string, fileName: string): number {
  const byName = /(^|[./\\])rpz([./\\_-]|$)|\.(zone|db)$/i.test(fileName) ? 0.1 : 0;
  if (/\.rpz-(ip|nsdname|nsip|client-ip)\b|\bCNAME\s+(\.|\*\.|rpz-(passthru|drop|tcp-only)\.)(\s|;|$)/im.test(head)) {
    return Math.min(1, 0.85 + byName);
  }
  if (/^\$ORIGIN\s|\sIN\s+SOA\s|^\S+\s+(\d+\s+)?(IN\s+)?SOA\s/im.test(head)) return 0.6 + byName;
  return byName;
}

export const rpzParser: FeedParser = {
  format: 'rpz',
  description: 'DNS Response Policy Zone (master-file syntax): QNAME and rpz-ip triggers; passthru skipped',
  sniff,
  parse,
};
