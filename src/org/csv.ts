/**
 * A small RFC 4180 reader and writer for the org files. Hand-written because csv-parse (named in
 * ARCHITECTURE.md) is not installed, and because import must report every bad record with its
 * line number. Quoted fields may hold commas, doubled quotes and line breaks.
 */

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvError {
  line: number;
  message: string;
}

/** Splits text into records. Blank lines and lines starting with `#` are skipped. */
export function readCsv(text: string): { records: CsvRecord[]; errors: CsvError[] } {
  const records: CsvRecord[] = [];
  const errors: CsvError[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = s.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    if (s[i] === '#' || s[i] === '\n' || (s[i] === '\r' && s[i + 1] === '\n')) {
      while (i < n && s[i] !== '\n') i++;
      i++;
      line++;
      continue;
    }
    const fields: string[] = [];
    let error: string | undefined;
    for (;;) {
      let value = '';
      if (s[i] === '"') {
        i++;
        for (;;) {
          const q = s.indexOf('"', i);
          if (q < 0) {
            error ??= 'unterminated quoted field';
            value += s.slice(i);
            i = n;
            break;
          }
          const chunk = s.slice(i, q);
          for (const ch of chunk) if (ch === '\n') line++;
          value += chunk;
          if (s[q + 1] === '"') {
            value += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        if (i < n && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
          error ??= 'text after a closing quote';
          while (i < n && s[i] !== ',' && s[i] !== '\n') i++;
        }
      } else {
        while (i < n && s[i] !== ',' && s[i] !== '\n' && !(s[i] === '\r' && s[i + 1] === '\n')) value += s[i++];
      }
      fields.push(value);
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '\r') i++;
      if (s[i] === '\n') i++;
      line++;
      break;
    }
    if (error !== undefined) errors.push({ line: start, message: error });
    else records.push({ line: start, fields });
  }
  return { records, errors };
}

/** One field, quoted when it must be (separator, quote, line break, edge whitespace). */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function writeCsvRow(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}
