/**
 * Syslog messages, as real senders write them: RFC 5424 (§6: PRI VERSION TIMESTAMP HOSTNAME
 * APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]) and RFC 3164 / BSD (§4.1: PRI "Mmm dd hh:mm:ss"
 * HOSTNAME TAG[pid]: MSG), leniently: no PRI, an ISO timestamp in a 3164-style line (rsyslog's
 * forward formats), no hostname. Pure and total: any input gives a message (at worst all of it
 * as MSG), nothing throws.
 */

export interface SdElement {
  id: string;
  params: [string, string][];
}

export interface SyslogMessage {
  format: '5424' | '3164';
  /** From PRI (RFC 5424 §6.2.1); null when the line had none. */
  facility: number | null;
  severity: number | null;
  /** ms epoch; null when absent or unreadable (the receiver then uses arrival time). */
  ts: number | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: SdElement[];
  msg: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

export function parseSyslog(text: string, now = Date.now()): SyslogMessage {
  const m: SyslogMessage = { format: '3164', facility: null, severity: null, ts: null, hostname: null, appName: null, procId: null, msgId: null, structuredData: [], msg: '' };
  let s = text.replace(/[\r\n\0]+$/, '');
  const pri = /^<(\d{1,3})>/.exec(s);
  if (pri) {
    const v = Number(pri[1]);
    if (v <= 191) {
      m.facility = v >> 3;
      m.severity = v & 7;
    }
    s = s.slice(pri[0].length);
    // VERSION "1" then SP: RFC 5424 §6.2.2.
    if (s.startsWith('1 ')) return parse5424(s.slice(2), m);
  }
  return parse3164(s, m, now);
}

function parse5424(s: string, m: SyslogMessage): SyslogMessage {
  m.format = '5424';
  const fields: (string | null)[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const sp = s.indexOf(' ', pos);
    const tok = sp < 0 ? s.slice(pos) : s.slice(pos, sp);
    fields.push(tok === '-' ? null : tok);
    pos = sp < 0 ? s.length : sp + 1;
  }
  const [ts, host, app, proc, msgId] = fields;
  if (ts != null) {
    const t = Date.parse(ts);
    m.ts = Number.isNaN(t) ? null : t;
  }
  m.hostname = host ?? null;
  m.appName = app ?? null;
  m.procId = proc ?? null;
  m.msgId = msgId ?? null;
  // STRUCTURED-DATA: "-" or one or more [SD-ID *(SP PARAM-NAME="value")] (§6.3).
  if (s.charCodeAt(pos) === 0x2d) pos++;
  else {
    while (s.charCodeAt(pos) === 0x5b) {
      const r = parseSdElement(s, pos + 1);
      if (r === null) break; // malformed: the rest is MSG
      m.structuredData.push(r.el);
      pos = r.end;
    }
  }
  if (s.charCodeAt(pos) === 0x20) pos++;
  let msg = s.slice(pos);
  // MSG may start with a UTF-8 BOM to say it is UTF-8 (§6.4).
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
  m.msg = msg;
  return m;
}

/** One SD-ELEMENT from just after '['; values unescape \" \\ \] (§6.3.3). */
function parseSdElement(s: string, pos: number): { el: SdElement; end: number } | null {
  const idEnd = s.slice(pos).search(/[ \]]/);
  if (idEnd <= 0) return null;
  const el: SdElement = { id: s.slice(pos, pos + idEnd), params: [] };
  pos += idEnd;
  while (s.charCodeAt(pos) === 0x20) {
    pos++;
    const eq = s.indexOf('="', pos);
    if (eq <= pos) return null;
    const name = s.slice(pos, eq);
    if (/[ \]"=]/.test(name)) return null;
    let v = '';
    let i = eq + 2;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\\' && i + 1 < s.length && '"\\]'.includes(s[i + 1]!)) v += s[++i];
      else if (c === '"') break;
      else v += c;
    }
    if (i >= s.length) return null;
    el.params.push([name, v]);
    pos = i + 1;
  }
  if (s.charCodeAt(pos) !== 0x5d) return null;
  return { el, end: pos + 1 };
}

const BSD_TIME = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? /;
const ISO_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) /;

function parse3164(s: string, m: SyslogMessage, now: number): SyslogMessage {
  let rest = s;
  const bsd = BSD_TIME.exec(rest);
  if (bsd) {
    const mon = MONTHS[bsd[1]!];
    if (mon !== undefined) {
      m.ts = inferYear(mon, Number(bsd[2]), Number(bsd[3]), Number(bsd[4]), Number(bsd[5]), now);
      rest = rest.slice(bsd[0].length);
    }
  } else {
    const iso = ISO_TIME.exec(rest);
    if (iso) {
      const t = Date.parse(iso[1]!);
      m.ts = Number.isNaN(t) ? null : t;
      rest = rest.slice(iso[0].length);
    }
  }
  // HOSTNAME, unless the next word is already the TAG (`tag:` or `tag[pid]:`), as some senders omit it.
  if (m.ts !== null) {
    const sp = rest.indexOf(' ');
    const word = sp < 0 ? rest : rest.slice(0, sp);
    if (word !== '' && !/[:[]/.test(word)) {
      m.hostname = word;
      rest = sp < 0 ? '' : rest.slice(sp + 1);
    }
  }
  const tag = /^([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?: ?/.exec(rest);
  if (tag) {
    m.appName = tag[1]!;
    m.procId = tag[2] ?? null;
    rest = rest.slice(tag[0].length);
  }
  m.msg = rest;
  return m;
}

/**
 * RFC 3164 timestamps have no year (§4.1.2): take the one that puts the time nearest before now,
 * allowing a day of clock skew ahead (so a December line read on 1 January is last year's).
 */
function inferYear(mon: number, day: number, h: number, mi: number, sec: number, now: number): number | null {
  if (day < 1 || day > 31 || h > 23 || mi > 59 || sec > 60) return null;
  const y = new Date(now).getUTCFullYear();
  // Local time of the sender is unknown; UTC is assumed.
  let t = Date.UTC(y, mon, day, h, mi, sec);
  if (t > now + 86_400_000) t = Date.UTC(y - 1, mon, day, h, mi, sec);
  return t;
}
