import { describe, expect, it } from 'vitest';
import { splitCsv } from './csv-split.ts';
import { parseAll } from './index.ts';
import { fixture, testdata } from './parsers.test-util.ts';

const at = (s: string): number => Date.parse(s) / 1000;

describe('splitCsv', () => {
  it('splits quoted fields with commas, doubled quotes and ThreatFox’s `", "` spacing', () => {
    expect(splitCsv('a,"b,c","say ""hi""",')).toEqual({ ok: true, fields: ['a', 'b,c', 'say "hi"', ''] });
    expect(splitCsv('"x", "y" ,  "z"')).toEqual({ ok: true, fields: ['x', 'y', 'z'] });
    expect(splitCsv(' plain , text ')).toEqual({ ok: true, fields: ['plain', 'text'] });
    expect(splitCsv('')).toEqual({ ok: true, fields: [''] });
  });
  it('reports unterminated and misplaced quotes', () => {
    expect(splitCsv('"open, field')).toMatchObject({ ok: false, open: true });
    expect(splitCsv('"a"b,c')).toMatchObject({ ok: false, open: false, error: 'text after a closing quote' });
    expect(splitCsv('a"b,c')).toMatchObject({ ok: false, open: false, error: 'quote inside an unquoted field' });
  });
});

describe('csv: Feodo Tracker', () => {
  it('reads the 28 Pikabot C2 ip:port of 2024-04-04', () => {
    const r = parseAll(testdata('intel/abusech/feodotracker_ipblocklist_2024-04-04.csv'), 'csv');
    expect(r.indicators).toHaveLength(28);
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(0);
    expect(r.indicators.every((i) => i.type === 'ip:port' && i.family === 'Pikabot' && i.category === 'botnet-c2')).toBe(true);
    expect(r.indicators[0]).toEqual({
      value: '192.9.135.73:1194',
      line: 10,
      type: 'ip:port',
      category: 'botnet-c2',
      family: 'Pikabot',
      firstSeen: at('2023-05-23T17:51:44Z'),
      lastSeen: at('2024-04-01T00:00:00Z'),
    });
    expect(r.indicators.at(-1)).toMatchObject({ value: '172.233.221.61:5938', line: 37 });
    expect(new Set(r.indicators.map((i) => i.value)).size).toBe(28);
  });
});

describe('csv: URLhaus', () => {
  it('reads the header from the comment line and maps the columns', () => {
    const r = parseAll(fixture('urlhaus-recent.csv'), 'csv');
    expect(r.indicators.map((i) => i.value)).toEqual([
      'http://198.51.100.23:43511/Mozi.m',
      'https://cdn.payload.example/xmrig/xmrig-6.21.0-linux-static-x64.tar.gz',
      'http://203.0.113.77/bins/sora.x86',
      'http://dl.example.net/a,b.sh',
    ]);
    expect(r.indicators[0]).toEqual({
      value: 'http://198.51.100.23:43511/Mozi.m',
      line: 10,
      type: 'url',
      category: 'malware-delivery',
      firstSeen: at('2024-04-04T07:05:06Z'),
      lastSeen: at('2024-04-04T07:05:06Z'),
      tags: ['32-bit', 'elf', 'mips', 'Mozi'],
      reference: 'https://urlhaus.abuse.ch/url/2809455/',
    });
    expect(r.indicators[2]?.lastSeen).toBeUndefined(); // last_online ""
    expect(r.rejected).toEqual([{ line: 14, error: 'not a url', sample: 'not a url at all' }]);
  });
});

describe('csv: ThreatFox', () => {
  it('maps ioc_type, threat_type, malware_printable and confidence_level', () => {
    const r = parseAll(fixture('threatfox-recent.csv'), 'csv');
    expect(r.indicators.map((i) => [i.type, i.value, i.category, i.family, i.confidence])).toEqual([
      ['ip:port', '198.51.100.14:3333', 'botnet-c2', 'XMRIG', 75],
      ['domain', 'pool.cryptojack.example', 'botnet-c2', 'Unknown malware', 50],
      ['url', 'http://203.0.113.5/x86_64', 'malware-delivery', 'Mirai', 100],
      ['md5', '47e051dd35cf169893b7cbcf4dba5052', 'malware', 'Agent Tesla', 100],
      ['sha256', 'ccbc41d89e024a1c0e4dd7109b96475510e1d7ac2dd4976ade4d87fb8611be3b', 'malware', 'Agent Tesla', 100],
    ]);
    expect(r.indicators[1]).toMatchObject({
      line: 11,
      firstSeen: at('2024-04-04T07:05:12Z'),
      lastSeen: at('2024-04-04T07:08:00Z'),
      tags: ['miner'],
      reference: 'https://example.org/report/cryptojack',
    });
    expect(r.indicators[0]?.reference).toBeUndefined(); // "None"
    expect(r.skippedReasons).toEqual({ 'indicator type sha3_384_hash': 1 });
    // The last row is cut off mid-field, as a truncated download leaves it.
    expect(r.rejected).toEqual([{ line: 16, error: 'unterminated quoted field', sample: '"2024-04-04 06:33:10", "1262805", "198.51.100.99:443", "ip:port", "botnet_cc", "…' }]);
  });

  it('marks compromised sites (is_compromised, newer exports)', () => {
    const text = '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","malware_printable","is_compromised","tags"\n'
      + '"2024-04-04 07:00:00", "1", "shop.example", "domain", "payload_delivery", "ClearFake", "True", "ClearFake"\n';
    expect(parseAll(text, 'csv').indicators[0]?.tags).toEqual(['ClearFake', 'compromised']);
  });
});

describe('csv: generic', () => {
  it('finds the value column by name and infers nothing the header does not say', () => {
    const text = 'Indicator,Type,Confidence,Comment\npool.example,domain,90,"pool, seen twice"\n198.51.100.0/24,cidr,,\nx.example,mutex,,\n';
    const r = parseAll(text, 'csv');
    expect(r.indicators).toEqual([
      { value: 'pool.example', line: 2, type: 'domain', confidence: 90 },
      { value: '198.51.100.0/24', line: 3, type: 'cidr' },
    ]);
    expect(r.skippedReasons).toEqual({ 'indicator type mutex': 1 });
  });

  it('types the value by its column name when there is no type column', () => {
    const r = parseAll('domain,first_seen\nminer.example,2024-04-04\n', 'csv');
    expect(r.indicators).toEqual([{ value: 'miner.example', line: 2, type: 'domain', firstSeen: at('2024-04-04T00:00:00Z') }]);
  });

  it('joins a quoted field that runs over lines, but a stray quote costs one line only', () => {
    const r = parseAll('url,comment\n"http://a.example/x","two\nlines"\n"http://b.example/\nhttp://c.example/\n', 'csv');
    expect(r.indicators.map((i) => [i.line, i.value])).toEqual([
      [2, 'http://a.example/x'],
      [5, 'http://c.example/'],
    ]);
    expect(r.rejected.map((x) => [x.line, x.error])).toEqual([[4, 'unterminated quoted field']]);
  });

  it('rejects data before a header, short rows, and skips a repeated header', () => {
    const r = parseAll('1.2.3.4,x\n# ip,port\n198.51.100.1\n"ip","port"\n198.51.100.2,80\n', 'csv');
    expect(r.rejected.map((x) => x.line)).toEqual([1, 3]);
    expect(r.indicators).toEqual([{ value: '198.51.100.2:80', line: 5, type: 'ip:port' }]);
    expect(r.skippedReasons).toEqual({ 'repeated header': 1 });
  });
});
