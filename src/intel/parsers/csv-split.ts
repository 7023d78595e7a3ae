/**
 * A small RFC 4180 record splitter. Hand-written rather than csv-parse because the feeds need
 * line-level control that a whole-file parser does not give: the header can sit in a `#`
 * comment (URLhaus, ThreatFox), comment lines appear after the data (`# END 28 entries`), and
 * one bad record must become one rejected item with its line number while the rest go on.
 * ThreatFox writes `"a", "b"` — whitespace before an opening quote is allowed.
 */

export type Split = { ok: true; fields: string[] } | { ok: false; open: boolean; error: string };

export function splitCsv(record: string, delimiter = ','): Split {
  const fields: string[] = [];
  let i = 0;
  const n = record.length;
  for (;;) {
    while (i < n && (record[i] === ' ' || record[i] === '\t') && record[i] !== delimiter) i++;
    if (record[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = record.indexOf('"', i);
        if (q < 0) return { ok: false, open: true, error: 'unterminated quoted field' };
        value += record.slice(i, q);
        if (record[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      while (i < n && (record[i] === ' ' || record[i] === '\t')) i++;
      if (i < n && record[i] !== delimiter) return { ok: false, open: false, error: 'text after a closing quote' };
      fields.push(value);
    } else {
      const d = record.indexOf(delimiter, i);
      const end = d < 0 ? n : d;
      const value = record.slice(i, end).trim();
      if (value.includes('"')) return { ok: false, open: false, error: 'quote inside an unquoted field' };
      fields.push(value);
      i = end;
    }
    if (i >= n) return { ok: true, fields };
    i++; // the delimiter
  }
}
