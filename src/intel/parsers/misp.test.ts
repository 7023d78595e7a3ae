import { describe, expect, it } from 'vitest';
import { parseAll, parseMispManifest } from './index.ts';
import { fixture, testdata } from './parsers.test-util.ts';

const SEDNIT_C2 = ['movieultimate.com', 'meteost.com', 'faststoragefiles.org', 'nethostnet.com', 'fsportal.net', 'fastdataexchange.org', 'newfilmts.com'];

describe('misp: CIRCL events', () => {
  it('reads the Sednit event: 7 C2 domains, then 12 domain-ip and 37 file objects', () => {
    const r = parseAll(testdata('intel/misp/circl_event_5a3c2fcd_sednit.json'), 'misp');
    // jq: 9 attributes (link, text, 7 domains) + objects: 12 domain-ip (domain, ip-dst), 37 file
    // (15 with a filename, 37 sha1, 37 text "state"). All domain/ip-dst/sha1 have to_ids true.
    expect(r.indicators.slice(0, 7).map((i) => i.value)).toEqual(SEDNIT_C2);
    const byType: Record<string, number> = {};
    for (const i of r.indicators) byType[i.type ?? '?'] = (byType[i.type ?? '?'] ?? 0) + 1;
    expect(byType).toEqual({ domain: 19, ip: 12, sha1: 37 });
    expect(r.indicators.every((i) => i.blocking === undefined)).toBe(true);
    expect(r.skippedReasons).toEqual({ 'MISP type link': 1, 'MISP type text': 38, 'MISP type filename': 15 });
    expect(r.rejected).toEqual([]);
    expect(r.indicators[0]).toMatchObject({
      value: 'movieultimate.com',
      line: 3,
      type: 'domain',
      lastSeen: 1513893957,
      reference: 'OSINT - Sednit update: How Fancy Bear Spent the Year',
      // Seven malware clusters and one actor: the actor is the family.
      family: 'Sofacy',
    });
    expect(r.indicators[0]?.tags).toHaveLength(18);
    expect(r.indicators[0]?.tags).toContain('misp-galaxy:threat-actor="Sofacy"');
    const values = r.indicators.map((i) => i.value);
    expect(values).toContain('servicecdp.com');
    expect(values).toContain('87.236.211.182');
    expect(values).toContain('68064fc152e23d56e541714af52651cb4ba81aaf');
  });

  it('reads the Xorist event: its three hashes', () => {
    const r = parseAll(testdata('intel/misp/circl_event_57c4445b_xorist.json'), 'misp');
    expect(r.indicators.map((i) => [i.line, i.type, i.value, i.lastSeen])).toEqual([
      [6, 'md5', '0749bae92ca336a02c83d126e04ec628', 1472480395],
      [7, 'sha1', '77b0c41b7d340b8a3d903f21347bbf06aa766b5b', 1472480394],
      [8, 'sha256', 'b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68', 1472480395],
    ]);
    expect(r.indicators[0]?.tags).toEqual(['tlp:white', 'circl:incident-classification="malware"', 'ms-caro-malware:malware-type="Ransom"', 'malware_classification:malware-category="Ransomware"']);
    expect(r.indicators[0]?.reference).toBe('Ransomware - Xorist');
    expect(r.indicators[0]?.family).toBeUndefined();
    expect(r.skippedReasons).toEqual({ 'MISP type link': 2, 'MISP type comment': 1, 'MISP type text': 1, 'MISP type filename': 1, 'MISP type regkey|value': 1 });
  });
});

describe('misp: attribute types and to_ids', () => {
  const r = parseAll(fixture('misp-event-miner.json'), 'misp');

  it('emits to_ids=false attributes as informational (blocking: false), to_ids=true ones as blocking', () => {
    expect(r.indicators.filter((i) => i.blocking === false).map((i) => i.value)).toEqual(['www.docker-mirror.example']);
    expect(r.indicators.filter((i) => i.blocking !== false)).toHaveLength(10);
  });

  it('splits composite types and reads ports, CIDRs and first_seen/last_seen', () => {
    expect(r.indicators.map((i) => [i.line, i.type, i.value])).toEqual([
      [1, 'domain', 'pool.cryptojack.example'],
      [2, 'domain', 'www.docker-mirror.example'],
      [3, 'ip:port', '198.51.100.14:3333'],
      [4, 'ip:port', '[2001:db8::14]:14444'],
      [5, 'domain', 'stratum.cryptojack.example'],
      [5, 'ip', '203.0.113.9'],
      [6, 'cidr', '203.0.113.0/25'],
      [7, 'url', 'http://203.0.113.5/xmrig.tar.gz'],
      [9, 'sha256', 'ccbc41d89e024a1c0e4dd7109b96475510e1d7ac2dd4976ade4d87fb8611be3b'],
      [14, 'md5', '47e051dd35cf169893b7cbcf4dba5052'],
      [15, 'sha1', '81c729865669bcd7c49fe4991b938f5f3d5ef10d'],
    ]);
    expect(r.indicators[2]).toMatchObject({ firstSeen: Date.parse('2024-04-01T10:00:00Z') / 1000, lastSeen: Date.parse('2024-04-03T22:15:00Z') / 1000 });
    expect(r.indicators[0]).toMatchObject({ family: 'XMRig', lastSeen: 1712214001, reference: 'Cryptojacking campaign: XMRig via exposed Docker API' });
    expect(r.indicators[0]?.tags).toEqual(['tlp:white', 'misp-galaxy:malpedia="XMRig"', 'misp-galaxy:threat-actor="TeamTNT"', 'kill-chain:command-and-control']);
  });

  it('skips what is not an indicator and rejects bad values', () => {
    expect(r.skippedReasons).toEqual({ 'MISP uri without a host': 1, 'deleted attribute': 1, 'MISP type btc': 1, 'MISP type filename': 1 });
    expect(r.rejected).toEqual([{ line: 11, error: 'whitespace in value', sample: 'not a domain' }]);
  });

  it('reads a bare event and a restSearch response', () => {
    const attr = { type: 'domain', to_ids: true, value: 'a.example', timestamp: '1712214001' };
    expect(parseAll(JSON.stringify({ Attribute: [attr] }), 'misp').indicators).toEqual([{ value: 'a.example', line: 1, type: 'domain', lastSeen: 1712214001 }]);
    const search = { response: [{ Event: { Attribute: [attr] } }, { Event: { info: 'two', Attribute: [{ ...attr, value: 'b.example' }] } }] };
    expect(parseAll(JSON.stringify(search), 'misp').indicators.map((i) => [i.line, i.value, i.reference])).toEqual([
      [1, 'a.example', undefined],
      [2, 'b.example', 'two'],
    ]);
    expect(parseAll('{"foo": 1}', 'misp').rejected.map((x) => x.error)).toEqual(['not a MISP event (no Event, Attribute or Object)']);
    expect(parseAll('{"Event": {"info": "new, empty event"}}', 'misp')).toEqual({ indicators: [], rejected: [], skipped: 0, skippedReasons: {} });
  });
});

describe('misp: feed manifest', () => {
  it('yields nothing for a manifest and lists its event UUIDs for the fetcher', () => {
    const text = fixture('misp-manifest.json');
    const r = parseAll(text, 'misp');
    expect([r.indicators, r.rejected, r.skipped]).toEqual([[], [], 0]);
    expect(parseMispManifest(text)).toEqual(['5a3c2fcd-8328-42bb-a95e-4f4402de0b81', '57c4445b-c548-4654-af0b-4be3950d210f']);
  });
  it('returns [] for anything that is not a manifest, without throwing', () => {
    for (const t of ['', 'not json', '[]', '{"Event": {}}', testdata('intel/misp/circl_event_57c4445b_xorist.json')]) expect(parseMispManifest(t)).toEqual([]);
  });
});
