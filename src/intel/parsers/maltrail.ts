/**
 * `maltrail`: trail files from stamparm/maltrail (trails/static/{malware,suspicious}/*.txt).
 * Entries are domains, IPs, `ip:port`, URLs (`http://ip`, `host/path`) and bare HTTP paths
 * (`/gate.php`, which name no host and are skipped). `# Reference:` lines give the source of the
 * entries below them; `# Aliases:` in the header become tags. The file name says what the
 * trails are (crypto_mining → pools, *_miner → miner malware, else a malware family's C2), and
 * parse() only sees text, so the hint comes from maltrailHints()/createMaltrailParser().
 */
import type { Category } from '../../model/indicator.ts';
import type { FeedParser, ParseItem } from './types.ts';
import { indicatorItem, lines, skipped } from './util.ts';

export interface MaltrailHints {
  category?: Category;
  family?: string;
}

/** Families in maltrail's malware/ folder whose business is mining, though not named *_miner. */
const MINER_FAMILIES = new Set(['coinminer', 'teamtnt', 'kinsing', 'rocke', 'outlaw', 'xmrig', 'cryptojacking']);
const PLATFORM_PREFIX = /^(elf|win|android|osx|ios|macos|linux|php|js)_/;

/**
 * What a trail file's name says about its entries. `crypto_mining.txt` → mining pools;
 * `lemonduck_miner.txt`, `elf_teamtnt.txt` → miner malware (family lemonduck, teamtnt);
 * `dynamic_domain.txt` → dynamic DNS; anything under suspicious/ → suspicious; other files →
 * botnet C2 of the family the file is named after. Path and extension are ignored.
 */
export function maltrailHints(fileName: string): MaltrailHints {
  const parts = fileName.split(/[/\\]/);
  const base = (parts.at(-1) ?? '').replace(/\.txt$/i, '').toLowerCase();
  if (base === '') return {};
  if (base === 'crypto_mining') return { category: 'mining-pool', family: 'crypto_mining' };
  if (base === 'dynamic_domain') return { category: 'dyndns' };
  const name = base.replace(PLATFORM_PREFIX, '');
  if (name.endsWith('_miner') || MINER_FAMILIES.has(name)) {
    const family = name.replace(/_miner$/, '');
    // generic_miner / elf_coinminer collect many unrelated miners: no family to name.
    return family === 'generic' || family === 'coinminer' ? { category: 'miner-malware' } : { category: 'miner-malware', family };
  }
  if (parts.includes('suspicious')) return { category: 'suspicious' };
  return { category: 'botnet-c2', family: name };
}

const REFERENCE = /^#\s*Reference:\s*(\S+)/i;
const ALIASES = /^#\s*Aliases:\s*(.+)$/i;

function* parseWith(text: string, hints: MaltrailHints): Generator<ParseItem> {
  let reference: string | undefined;
  let tags: string[] = [];
  for (const [no, line] of lines(text)) {
    const s = line.trim();
    if (s === '') continue;
    if (s.startsWith('#')) {
      const ref = REFERENCE.exec(s);
      // The nearest reference above an entry is its source.
      if (ref?.[1] !== undefined) reference = ref[1];
      const aliases = ALIASES.exec(s);
      if (aliases?.[1] !== undefined) {
        tags = aliases[1].split(',').map((a) => a.trim()).filter((a) => a !== '');
      }
      continue;
    }
    // Trails carry no inline comments today, but `value  # note` appears in maltrail's own
    // commented-out examples; be tolerant of it.
    const value = s.replace(/\s+#.*$/, '');
    if (value.startsWith('/')) {
      yield skipped(no, 'path-only trail (no host)');
      continue;
    }
    yield indicatorItem(value, no, { ...hints, reference, tags });
  }
}

export function createMaltrailParser(fileName: string): FeedParser {
  const hints = maltrailHints(fileName);
  return { ...maltrailParser, parse: (text: string) => parseWith(text, hints) };
}

function sniff(head: string, fileName: string): number {
  if (/Maltrail developers|stamparm\/maltrail/i.test(head)) return 0.95;
  if (/^#\s*Reference:\s*https?:\/\//im.test(head)) return /\.txt$/i.test(fileName) ? 0.6 : 0.5;
  return 0;
}

export const maltrailParser: FeedParser = {
  format: 'maltrail',
  description: 'maltrail trail file: domains, IPs, ip:port, URLs; # Reference: lines; family from the file name',
  sniff,
  parse: (text: string) => parseWith(text, {}),
};
