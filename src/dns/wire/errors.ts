/**
 * The one error type of the wire codec. Decoding untrusted bytes throws nothing else, so the
 * gateway maps any WireError to FORMERR (RFC 1035 §4.1.1) or a drop, and anything else is a bug.
 */
export type WireErrorCode =
  /** A read would go past the end of the message. */
  | 'truncated'
  /** A malformed name: reserved label type (0x40/0x80), empty label, bad escape, non-ASCII text. */
  | 'bad-name'
  /** A compression pointer that does not point strictly backwards, or too many of them. */
  | 'bad-pointer'
  /** A label over 63 bytes or a name over 255 bytes (RFC 1035 §2.3.4), or a message over 65535. */
  | 'too-long'
  /** RDATA whose length does not match its type, or a value that cannot be encoded. */
  | 'bad-rdata'
  /** Section counts that cannot fit the message. */
  | 'bad-count'
  /** A malformed or repeated OPT record (RFC 6891 §6.1.1). */
  | 'bad-edns';

export class WireError extends Error {
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string) {
    super(message);
    this.name = 'WireError';
    this.code = code;
  }
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
