/**
 * The part of STIX 2.1 Patterning (STIX 2.1 §9) a blocklist can use. A pattern is parsed in
 * full (so syntax errors are reported), then only comparisons that on their own make the
 * pattern match are taken: the operands of OR, at either level. Anything joined by AND or
 * FOLLOWEDBY, or under a qualifier (WITHIN, REPEATS, START/STOP), needs more than one sighting
 * or more than one property to match, so blocking on one part would block more than the
 * pattern says — those parts are reported as unsupported, with the reason.
 */
import type { IndicatorType } from '../../model/indicator.ts';

export interface PatternValue {
  type?: IndicatorType;
  value: string;
}
export type PatternResult = { ok: true; values: PatternValue[]; unsupported: string[] } | { ok: false; error: string };

type Tok = { k: 'punct' | 'op' | 'word' | 'path' | 'num'; v: string } | { k: 'str'; v: string; prefix: string };
type Node =
  | { k: 'or' | 'and' | 'followedby'; items: Node[] }
  | { k: 'qualified'; q: string }
  | { k: 'cmp'; path: string; op: string; values: string[] };

class PatternError extends Error {}

const WORD = /[A-Za-z0-9_-]/;
const OPERATOR_WORDS = /^(LIKE|MATCHES|IN|ISSUBSET|ISSUPERSET)$/i;
/** A number not followed by a word character (so `3com-x:…` stays a path). */
const NUMBER = /^-?\d+(\.\d+)?(?![A-Za-z0-9_:-])/;

function readString(s: string, i: number): [string, number] {
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') out += s[++j] ?? '';
    else if (c === "'") return [out, j + 1];
    else out += c;
  }
  throw new PatternError('unterminated string literal');
}

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (/\s/.test(c)) i++;
    else if ('[](),'.includes(c)) toks.push({ k: 'punct', v: s[i++] ?? '' });
    else if (c === "'") {
      const [v, j] = readString(s, i);
      toks.push({ k: 'str', v, prefix: '' });
      i = j;
    } else if (/^(<>|!=|<=|>=|=|<|>)/.test(s.slice(i, i + 2))) {
      const op = /^(<>|!=|<=|>=|=|<|>)/.exec(s.slice(i, i + 2))?.[1] ?? '=';
      toks.push({ k: 'op', v: op });
      i += op.length;
    } else if (NUMBER.test(s.slice(i, i + 32))) {
      const m = NUMBER.exec(s.slice(i, i + 32))?.[0] ?? c;
      toks.push({ k: 'num', v: m });
      i += m.length;
    } else if (WORD.test(c)) {
      let j = i;
      while (j < s.length && WORD.test(s[j] ?? '')) j++;
      const word = s.slice(i, j);
      if (s[j] === "'" && /^[thb]$/.test(word)) {
        const [v, k] = readString(s, j);
        toks.push({ k: 'str', v, prefix: word });
        i = k;
      } else if (s[j] === ':') {
        const [path, k] = readPath(s, i, j + 1);
        toks.push(path);
        i = k;
      } else {
        toks.push({ k: 'word', v: word });
        i = j;
      }
    } else throw new PatternError(`unexpected character ${c}`);
  }
  return toks;
}

/** An object path `type:prop.sub[*].'quoted key'`, returned with quotes removed from keys. */
function readPath(s: string, start: number, i: number): [Tok, number] {
  let path = s.slice(start, i);
  while (i < s.length) {
    const c = s[i] ?? '';
    if (WORD.test(c) || c === '.') path += s[i++];
    else if (c === "'" && path.endsWith('.')) {
      const [key, j] = readString(s, i);
      path += key;
      i = j;
    } else if (c === '[' && /^\[(\*|\d+)\]/.test(s.slice(i))) {
      const idx = /^\[(\*|\d+)\]/.exec(s.slice(i))?.[0] ?? '';
      path += idx;
      i += idx.length;
    } else break;
  }
  return [{ k: 'path', v: path }, i];
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t !== undefined && t.k === 'word' && t.v.toUpperCase() === w;
  }
  private expect(v: string): void {
    const t = this.toks[this.i++];
    if (t === undefined || t.v !== v || t.k === 'str') throw new PatternError(`expected '${v}'`);
  }
  private nest<T>(f: () => T): T {
    if (++this.depth > 64) throw new PatternError('pattern nested too deeply');
    const r = f();
    this.depth--;
    return r;
  }
  private list(next: () => Node, word: string, k: 'or' | 'and' | 'followedby'): Node {
    const items = [next()];
    while (this.isWord(word)) {
      this.i++;
      items.push(next());
    }
    return items.length === 1 ? (items[0] as Node) : { k, items };
  }

  pattern(): Node {
    const n = this.observations();
    if (this.i < this.toks.length) throw new PatternError(`unexpected '${this.peek()?.v ?? ''}'`);
    return n;
  }
  private observations(): Node {
    return this.list(() => this.obsOr(), 'FOLLOWEDBY', 'followedby');
  }
  private obsOr(): Node {
    return this.list(() => this.obsAnd(), 'OR', 'or');
  }
  private obsAnd(): Node {
    return this.list(() => this.observation(), 'AND', 'and');
  }
  private observation(): Node {
    const t = this.peek();
    let node: Node;
    if (t?.k === 'punct' && t.v === '[') {
      this.i++;
      node = this.nest(() => this.cmpOr());
      this.expect(']');
    } else if (t?.k === 'punct' && t.v === '(') {
      this.i++;
      node = this.nest(() => this.observations());
      this.expect(')');
    } else throw new PatternError("expected '[' or '('");
    while (this.isWord('WITHIN') || this.isWord('REPEATS') || this.isWord('START')) {
      const q = this.peek()?.v.toUpperCase() ?? '';
      this.i += q === 'START' ? 4 : 3; // START t'…' STOP t'…' | WITHIN n SECONDS | REPEATS n TIMES
      if (this.i > this.toks.length) throw new PatternError(`incomplete ${q} qualifier`);
      node = { k: 'qualified', q };
    }
    return node;
  }
  private cmpOr(): Node {
    return this.list(() => this.cmpAnd(), 'OR', 'or');
  }
  private cmpAnd(): Node {
    return this.list(() => this.comparison(), 'AND', 'and');
  }
  private comparison(): Node {
    const t = this.toks[this.i++];
    if (t?.k === 'punct' && t.v === '(') {
      const n = this.nest(() => this.cmpOr());
      this.expect(')');
      return n;
    }
    if (t?.k === 'word' && t.v.toUpperCase() === 'EXISTS') {
      const p = this.toks[this.i++];
      if (p?.k !== 'path') throw new PatternError('EXISTS needs an object path');
      return { k: 'cmp', path: p.v, op: 'EXISTS', values: [] };
    }
    if (t?.k !== 'path') throw new PatternError('expected an object path');
    let op = '';
    if (this.isWord('NOT')) {
      this.i++;
      op = 'NOT ';
    }
    const o = this.toks[this.i++];
    if (o === undefined || (o.k !== 'op' && !(o.k === 'word' && OPERATOR_WORDS.test(o.v)))) throw new PatternError('expected an operator');
    op += o.v.toUpperCase();
    return { k: 'cmp', path: t.v, op, values: op.endsWith('IN') ? this.set() : [this.literal()] };
  }
  private set(): string[] {
    this.expect('(');
    const values = [this.literal()];
    while (this.peek()?.v === ',') {
      this.i++;
      values.push(this.literal());
    }
    this.expect(')');
    return values;
  }
  private literal(): string {
    const t = this.toks[this.i++];
    if (t === undefined || !(t.k === 'str' || t.k === 'num' || (t.k === 'word' && /^(true|false)$/i.test(t.v)))) {
      throw new PatternError('expected a literal');
    }
    return t.v;
  }
}

const HASHES: Record<string, IndicatorType> = { MD5: 'md5', 'SHA-1': 'sha1', SHA1: 'sha1', 'SHA-256': 'sha256', SHA256: 'sha256' };

/** The model type for an object path, null when the path is not one a blocklist can use. */
function pathType(path: string): IndicatorType | undefined | null {
  const p = path.toLowerCase();
  if (p === 'domain-name:value') return 'domain';
  if (p === 'ipv4-addr:value' || p === 'ipv6-addr:value') return 'ip';
  if (p === 'url:value') return 'url';
  if (p === 'network-traffic:dst_ref.value') return undefined;
  if (p.startsWith('file:hashes.')) return HASHES[path.slice('file:hashes.'.length).toUpperCase()] ?? null;
  return null;
}

function collect(n: Node, values: PatternValue[], unsupported: string[]): void {
  if (n.k === 'qualified') {
    unsupported.push(`pattern uses ${n.q}`);
  } else if (n.k === 'cmp') {
    const t = pathType(n.path);
    if (t === null) unsupported.push(`object path ${n.path}`);
    else if (n.op === '=' || n.op === 'IN') for (const v of n.values) values.push({ type: t === 'ip' && v.includes('/') ? 'cidr' : t, value: v });
    else if (n.op === 'ISSUBSET' && t === 'ip') values.push({ type: 'cidr', value: n.values[0] ?? '' });
    else unsupported.push(`operator ${n.op} on ${n.path}`);
  } else if (n.k === 'or') {
    for (const item of n.items) collect(item, values, unsupported);
  } else {
    unsupported.push(`pattern uses ${n.k === 'and' ? 'AND' : 'FOLLOWEDBY'}`);
  }
}

/** Values a STIX pattern matches on its own (see the file comment), or the syntax error. */
export function patternValues(pattern: string): PatternResult {
  try {
    const tree = new Parser(tokenize(pattern)).pattern();
    const values: PatternValue[] = [];
    const unsupported: string[] = [];
    collect(tree, values, unsupported);
    return { ok: true, values, unsupported };
  } catch (e) {
    if (e instanceof PatternError) return { ok: false, error: e.message };
    throw e;
  }
}
