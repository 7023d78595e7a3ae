/**
 * Syslog over TCP (RFC 6587 §3.4): octet counting (`MSG-LEN SP SYSLOG-MSG`, §3.4.1) or
 * non-transparent framing with LF as trailer (§3.4.2; NUL too, as some senders use it). The frame
 * type is told by its first byte — a digit means octet counting, since a syslog message starts
 * with '<' — per frame, which also reads a connection whose sender switches. Frames longer than
 * maxBytes are dropped and counted, never buffered whole.
 */
export class SyslogFramer {
  /** Frames dropped for being longer than maxBytes. */
  oversized = 0;
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes still to discard of an oversized frame (octet counting), or -1 to skip to the next LF. */
  private skip = 0;

  constructor(private readonly maxBytes = 65_536) {}

  push(chunk: Buffer): string[] {
    const out: string[] = [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    const b = this.buf;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, b.length - pos);
        this.skip -= n;
        pos += n;
        if (this.skip > 0) break;
      }
      if (this.skip < 0) {
        const nl = nextTrailer(b, pos);
        if (nl < 0) {
          pos = b.length;
          break;
        }
        this.skip = 0;
        pos = nl + 1;
      }
      if (pos >= b.length) break;
      const c = b[pos]!;
      if (c >= 0x31 && c <= 0x39) {
        // MSG-LEN = NONZERO-DIGIT 0*8DIGIT, then SP.
        let i = pos;
        let len = 0;
        while (i < b.length && i - pos < 9 && b[i]! >= 0x30 && b[i]! <= 0x39) len = len * 10 + b[i++]! - 0x30;
        if (i >= b.length) break; // wait for the rest of the count
        if (b[i] === 0x20) {
          if (len > this.maxBytes) {
            this.oversized++;
            this.skip = len;
            pos = i + 1;
            continue;
          }
          if (b.length - (i + 1) < len) break; // wait for the whole frame
          out.push(b.toString('utf8', i + 1, i + 1 + len));
          pos = i + 1 + len;
          continue;
        }
        // Digits not followed by SP: not a count after all; read it as an LF-framed line.
      }
      if (c === 0x0a || c === 0x00 || c === 0x0d) {
        pos++; // empty line, or the CR of CRLF
        continue;
      }
      const nl = nextTrailer(b, pos);
      if (nl < 0) {
        if (b.length - pos > this.maxBytes) {
          this.oversized++;
          this.skip = -1;
          pos = b.length;
        }
        break;
      }
      if (nl - pos > this.maxBytes) this.oversized++;
      else out.push(b.toString('utf8', pos, nl > pos && b[nl - 1] === 0x0d ? nl - 1 : nl));
      pos = nl + 1;
    }
    this.buf = pos >= b.length ? Buffer.alloc(0) : Buffer.from(b.subarray(pos));
    return out;
  }

  /** A last LF-framed message without its trailer, when the connection ends. */
  end(): string | null {
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    if (b.length === 0 || this.skip !== 0 || (b[0]! >= 0x31 && b[0]! <= 0x39 && /^\d+ /.test(b.toString('latin1', 0, 10)))) return null;
    return b.toString('utf8');
  }
}

function nextTrailer(b: Buffer, from: number): number {
  const lf = b.indexOf(0x0a, from);
  // NUL only looked for before the LF, so a long buffer of LF lines is not rescanned to its end.
  const nul = (lf < 0 ? b.subarray(from) : b.subarray(from, lf)).indexOf(0x00);
  return nul >= 0 ? from + nul : lf;
}
