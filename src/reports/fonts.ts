/**
 * Finding a font with Chinese glyphs on this machine for the PDF (the built-in PDF fonts have
 * none). Looked up by file name under the usual font folders; a collection (.ttc) is opened by the
 * PostScript name of its Simplified Chinese face.
 */
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface CjkFont {
  path: string;
  /** The face inside a .ttc collection; undefined for .ttf/.otf. */
  family?: string;
}

export const FONT_DIRS: readonly string[] = ['/usr/share/fonts', '/usr/local/share/fonts', join(homedir(), '.fonts'), join(homedir(), '.local/share/fonts')];

/** Known files, best first, with the face to take from a collection. */
const KNOWN: ReadonlyArray<{ file: RegExp; family?: string }> = [
  { file: /^NotoSansCJK-Regular\.ttc$/i, family: 'NotoSansCJKsc-Regular' },
  { file: /^NotoSansCJKsc-Regular\.otf$/i },
  { file: /^NotoSansSC-Regular\.(otf|ttf)$/i },
  { file: /^NotoSerifCJK-Regular\.ttc$/i, family: 'NotoSerifCJKsc-Regular' },
  { file: /^wqy-microhei\.ttc$/i, family: 'WenQuanYiMicroHei' },
  { file: /^wqy-zenhei\.ttc$/i, family: 'WenQuanYiZenHei' },
  { file: /^DroidSansFallbackFull\.ttf$/i },
  { file: /^DroidSansFallback\.ttf$/i },
];

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > 6) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory() === true) walk(p, depth + 1, out);
    else if (st?.isFile() === true && /\.(ttc|ttf|otf)$/i.test(n)) out.push(p);
  }
}

/** The best CJK font found under `dirs`, or null. */
export function findCjkFont(dirs: readonly string[] = FONT_DIRS): CjkFont | null {
  const files: string[] = [];
  for (const d of dirs) walk(d, 0, files);
  for (const k of KNOWN) {
    const path = files.find((f) => k.file.test(f.slice(f.lastIndexOf('/') + 1)));
    if (path !== undefined) return k.family === undefined ? { path } : { path, family: k.family };
  }
  return null;
}

/** Whether text needs more than the built-in fonts' Latin-1 (WinAnsi) characters. */
export function needsUnicodeFont(s: string): boolean {
  // eslint-disable-next-line no-control-regex -- the range is the point: anything beyond Latin-1
  return /[^\u0000-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/.test(s);
}
