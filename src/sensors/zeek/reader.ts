/**
 * Chunks of Zeek log lines → events, keeping per file what a file's lines are read with: its
 * format (a `#` header makes it TSV, a `{` line JSON), its TSV header, the mapper for its log type.
 * A file's type is its `#path`; for JSON the line's `_path`, else the file name (conn.log,
 * conn.00:00:00-01:00:00.log.gz). Unknown types are skipped and noted once per file; a malformed
 * line is counted in SensorHealth with its file:line and a sample, and skipped.
 */
import type { EventOutput, SensorHealth } from '../types.ts';
import type { LineChunk } from '../files/index.ts';
import { Enricher, type FileSeen } from './enrich.ts';
import { isInternalDefault } from '../net.ts';
import { MAPPERS, type LogMapper, type MapContext, type MapResult, type WeirdSeen } from './map.ts';
import { headerLine, JsonRow, logTypeFromName, newHeader, parseJsonLine, TsvRow, type TsvHeader } from './parse.ts';

export interface ZeekReaderOptions {
  /** The `sensor` field of events (`zeek:<name>`). */
  sensor: string;
  site?: string;
  /** Which side of a flow is ours (default: RFC 1918, CGNAT, link-local, ULA). */
  isInternal?: (ip: string) => boolean;
  /** files.log records, joined with their HTTP request when there was one (see enrich.ts). */
  onFile?: (f: FileSeen) => void;
  onWeird?: (w: WeirdSeen) => void;
}

interface FileState {
  header: TsvHeader;
  row: TsvRow;
  /** The TSV file's mapper; null until `#fields` (or for an unknown type). */
  mapper: LogMapper | null;
  nameType: string;
  unknown: Set<string>;
  /** A JSON line was seen: other lines are malformed JSON, not headerless TSV. */
  json: boolean;
}

export class ZeekLineReader {
  /** Log types no mapper reads → files they were met in (counted once per file, not per line). */
  readonly unknownTypes = new Map<string, number>();
  /** Lines of those types, skipped. */
  skipped = 0;
  /** weird.log names → times seen. */
  readonly weirds = new Map<string, number>();
  readonly enrich: Enricher;
  private readonly ctx: MapContext;
  private readonly files = new Map<string, FileState>();
  private readonly jsonRows = new Map<LogMapper, JsonRow>();

  constructor(private readonly out: EventOutput, private readonly health: SensorHealth, opts: ZeekReaderOptions) {
    this.enrich = new Enricher({ onFile: opts.onFile });
    this.ctx = {
      sensor: opts.sensor, site: opts.site ?? '', isInternal: opts.isInternal ?? isInternalDefault, enrich: this.enrich,
      noteHostName: (c, s, n) => out.noteHostName(c, s, n),
      onWeird: (w) => {
        this.weirds.set(w.name, (this.weirds.get(w.name) ?? 0) + 1);
        opts.onWeird?.(w);
      },
    };
  }

  /** One chunk of one file; false when the output is behind (the caller awaits drained()). */
  feed(chunk: LineChunk): boolean {
    let st = this.files.get(chunk.file);
    if (st === undefined || chunk.start) {
      const header = newHeader();
      st = { header, row: new TsvRow(header), mapper: null, nameType: logTypeFromName(chunk.file), unknown: new Set(), json: false };
      this.files.set(chunk.file, st);
    }
    const { lines } = chunk;
    let ok = true;
    let events = 0;
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      if (line.length === 0) continue;
      const c0 = line.charCodeAt(0);
      let res: MapResult;
      if (c0 === 35 /* # */) {
        this.header(st, line);
        continue;
      } else if (c0 === 123 /* { */ || (st.json && st.mapper === null)) {
        st.json = true;
        res = this.json(st, line);
      } else if (st.mapper !== null) {
        const n = st.row.set(line);
        res = n === st.header.fields.length ? st.mapper.map(st.row, this.ctx) : `${n} columns where #fields has ${st.header.fields.length}`;
      } else if (st.header.fields.length === 0) {
        res = 'no #fields header before this line';
      } else {
        this.skip(st, st.header.path || st.nameType);
        continue;
      }
      if (res === null) continue;
      if (typeof res === 'string') {
        this.health.bad(`${res} (${chunk.file}:${chunk.line + k})`, line);
        continue;
      }
      events++;
      if (!this.out.record(res)) ok = false;
    }
    if (events > 0) this.health.ok(events);
    this.enrich.sweep();
    return ok;
  }

  /** The end of reading: files still waiting for their HTTP request go out without it. */
  flush(): void {
    this.enrich.sweep(Date.now(), true);
  }

  private header(st: FileState, line: string): void {
    const key = headerLine(st.header, line);
    if (key === 'separator') {
      st.header.fields = []; // a new header (a file rewritten in place): nothing is bound yet
      st.mapper = null;
    } else if (key === 'fields' || (key === 'path' && st.header.fields.length > 0)) {
      const type = st.header.path || st.nameType;
      st.mapper = MAPPERS[type] ?? null;
      if (st.mapper !== null) st.row.bind(st.mapper.fields);
    }
  }

  private json(st: FileState, line: string): MapResult {
    const obj = parseJsonLine(line);
    if (typeof obj === 'string') return obj;
    const type = typeof obj._path === 'string' ? obj._path : st.nameType;
    const mapper = MAPPERS[type];
    if (mapper === undefined) {
      this.skip(st, type);
      return null;
    }
    let row = this.jsonRows.get(mapper);
    if (row === undefined) this.jsonRows.set(mapper, (row = new JsonRow(mapper.fields)));
    row.obj = obj;
    return mapper.map(row, this.ctx);
  }

  private skip(st: FileState, type: string): void {
    this.skipped++;
    if (st.unknown.has(type)) return;
    st.unknown.add(type);
    this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + 1);
  }
}
