import { describe, expect, it } from 'vitest';
import { inferType } from '../normalize.ts';
import { createMaltrailParser, maltrailHints, parseAll } from './index.ts';
import { testdata } from './parsers.test-util.ts';

const VT = 'https://www.virustotal.com/gui/file/f77ab04ee56f3cd4845d4a80c5817a7de4f0561d976d87563deab752363a765d/detection';

describe('maltrailHints', () => {
  it('derives category and family from the trail file name', () => {
    expect(maltrailHints('crypto_mining.txt')).toEqual({ category: 'mining-pool', family: 'crypto_mining' });
    expect(maltrailHints('trails/static/malware/lemonduck_miner.txt')).toEqual({ category: 'miner-malware', family: 'lemonduck' });
    expect(maltrailHints('m8220_miner.txt')).toEqual({ category: 'miner-malware', family: 'm8220' });
    expect(maltrailHints('elf_teamtnt.txt')).toEqual({ category: 'miner-malware', family: 'teamtnt' });
    expect(maltrailHints('generic_miner.txt')).toEqual({ category: 'miner-malware' });
    expect(maltrailHints('elf_coinminer.txt')).toEqual({ category: 'miner-malware' });
    expect(maltrailHints('dynamic_domain.txt')).toEqual({ category: 'dyndns' });
    expect(maltrailHints('emotet.txt')).toEqual({ category: 'botnet-c2', family: 'emotet' });
    expect(maltrailHints('C:\\trails\\QakBot.TXT')).toEqual({ category: 'botnet-c2', family: 'qakbot' });
    expect(maltrailHints('trails/static/suspicious/pastebin.txt')).toEqual({ category: 'suspicious' });
    expect(maltrailHints('')).toEqual({});
  });
});

describe('maltrail', () => {
  it('reads all 1,185 entries of crypto_mining.txt as mining pools', () => {
    const r = parseAll(testdata('intel/maltrail/crypto_mining.txt'), 'maltrail', 'crypto_mining.txt');
    expect(r.indicators).toHaveLength(1185);
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toBe(0);
    // By hand (awk over the file): 445 domains, 721 ip:port, 18 IPs, 1 URL (http://185.141.25.35).
    const byType: Record<string, number> = {};
    for (const i of r.indicators) byType[inferType(i.value) ?? '?'] = (byType[inferType(i.value) ?? '?'] ?? 0) + 1;
    expect(byType).toEqual({ domain: 445, 'ip:port': 721, ip: 18, url: 1 });
    const values = new Set(r.indicators.map((i) => i.value));
    for (const v of ['pool.supportxmr.com', 'moneroocean.stream', 'nanopool.org', 'suprnova.cc', 'mineXMR.com', 'http://185.141.25.35']) {
      expect(values).toContain(v);
    }
    expect(r.indicators.every((i) => i.category === 'mining-pool' && i.family === 'crypto_mining')).toBe(true);
    expect(r.indicators.find((i) => i.value === 'nanopool.org')).toEqual({
      value: 'nanopool.org', line: 34, category: 'mining-pool', family: 'crypto_mining', reference: VT,
    });
    // The nearest `# Reference:` above an entry is its reference.
    expect(r.indicators.find((i) => i.line === 114)?.reference).toBe('https://isc.sans.edu/forums/diary/What+is+going+on+with+port+3333/23215');
  });

  it('reads the miner-malware trails with their family, skipping path-only trails', () => {
    const cases: [string, number, number, string | undefined][] = [
      // file, indicators, path-only skipped, family — counts checked with grep
      ['lemonduck_miner.txt', 93, 6, 'lemonduck'],
      ['m8220_miner.txt', 17, 0, 'm8220'],
      ['sysrvhello_miner.txt', 6, 0, 'sysrvhello'],
      ['watchdog_miner.txt', 28, 10, 'watchdog'],
      ['elf_teamtnt.txt', 137, 85, 'teamtnt'],
    ];
    for (const [file, n, paths, family] of cases) {
      const r = parseAll(testdata('intel/maltrail', file), 'maltrail', file);
      expect([file, r.indicators.length, r.skipped, r.rejected.length]).toEqual([file, n, paths, 0]);
      if (paths > 0) expect(r.skippedReasons).toEqual({ 'path-only trail (no host)': paths });
      expect(r.indicators.every((i) => i.category === 'miner-malware' && i.family === family)).toBe(true);
    }
    const m8220 = parseAll(testdata('intel/maltrail/m8220_miner.txt'), 'maltrail', 'm8220_miner.txt');
    expect(m8220.indicators[0]).toMatchObject({ value: '192.210.200.66:1234', line: 9, reference: 'https://www.virustotal.com/gui/domain/apacheorg.xyz/relations' });
  });

  it('turns `# Aliases:` into tags', () => {
    const r = parseAll(testdata('intel/maltrail/sysrvhello_miner.txt'), 'maltrail', 'sysrvhello_miner.txt');
    expect(r.indicators[0]?.tags).toEqual(['sysrv-hello', 'z0miner', 'zominer']);
  });

  it('reads a large botnet trail, counting path-only trails', () => {
    const r = parseAll(testdata('intel/maltrail/cobaltstrike.txt'), 'maltrail', 'cobaltstrike.txt');
    // 14,701 entries (grep): 116 bare paths. Three entries such as 139.9.234.13:33:1099 are not
    // clearly garbage to a parser; the engine's normaliser rejects them with their line.
    expect([r.indicators.length, r.skipped, r.rejected.length]).toEqual([14585, 116, 0]);
    expect(r.indicators.find((i) => i.value === '139.9.234.13:33:1099')?.line).toBe(12159);
    expect(r.indicators[0]).toMatchObject({ category: 'botnet-c2', family: 'cobaltstrike' });
  });

  it('parses without hints when no file name is known, and the factory keeps the contract', () => {
    const text = '# Reference: https://example.org/a\n  198.51.100.1:3333 \n/gate.php\nhttp://203.0.113.5/x\ntwo words\n';
    expect(parseAll(text, 'maltrail')).toEqual({
      indicators: [
        { value: '198.51.100.1:3333', line: 2, reference: 'https://example.org/a' },
        { value: 'http://203.0.113.5/x', line: 4, reference: 'https://example.org/a' },
      ],
      rejected: [{ line: 5, error: 'whitespace in value', sample: 'two words' }],
      skipped: 1,
      skippedReasons: { 'path-only trail (no host)': 1 },
    });
    const p = createMaltrailParser('xmrig_miner.txt');
    expect(p.format).toBe('maltrail');
    expect([...p.parse('pool.example\n')]).toEqual([
      { kind: 'indicator', indicator: { value: 'pool.example', line: 1, category: 'miner-malware', family: 'xmrig' } },
    ]);
  });
});
