/**
 * One registry of error codes with stable identifiers (`MW_ERR_…`) and the HTTP status the API
 * will map them to. Domain code throws MinewardenError; the CLI prints `message` and exits
 * non-zero; nothing on the DNS path throws to a socket.
 */
export const ERROR_CODES = {
  MW_ERR_CONFIG: { status: 500, summary: 'configuration is invalid' },
  MW_ERR_NOT_FOUND: { status: 404, summary: 'no such object' },
  MW_ERR_BAD_INPUT: { status: 400, summary: 'input is invalid' },
  MW_ERR_FEED: { status: 502, summary: 'a feed could not be fetched or parsed' },
  MW_ERR_STORE: { status: 503, summary: 'the store failed' },
  MW_ERR_CONFLICT: { status: 409, summary: 'the object is in a state that forbids this' },
  MW_ERR_AUTH: { status: 401, summary: 'not logged in, or the credentials are wrong' },
  MW_ERR_TOTP_REQUIRED: { status: 401, summary: 'a valid second-factor code is required' },
  MW_ERR_LOCKED: { status: 429, summary: 'too many failed logins; the account is locked for a while' },
  MW_ERR_RATE_LIMITED: { status: 429, summary: 'too many requests from this address; wait a minute' },
  MW_ERR_FORBIDDEN: { status: 403, summary: 'the role does not allow this' },
  MW_ERR_CSRF: { status: 403, summary: 'the x-csrf-token header is missing or wrong' },
  MW_ERR_UNAVAILABLE: { status: 503, summary: 'the service needed for this is not running' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MinewardenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MinewardenError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
  }
}

export function isMinewardenError(e: unknown): e is MinewardenError {
  return e instanceof MinewardenError;
}

/** A message for any thrown value, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
