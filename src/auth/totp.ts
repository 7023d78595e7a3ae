/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30 s steps, a code accepted one step either side of now
 * (clock drift), and never a step at or before the last one accepted (no replay, RFC 6238 §5.2).
 */
import { HOTP, Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sameText } from './secrets.ts';

export const TOTP_ISSUER = 'Minewarden';
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

/** A new base32 secret (160 bits, the RFC 4226 recommendation). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

export function otpauthUrl(secret: string, username: string): string {
  return new TOTP({
    issuer: TOTP_ISSUER, label: username, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secret),
  }).toString();
}

export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg' });
}

/**
 * The time step `code` belongs to, if it is valid within the window around `nowMs` and later
 * than `lastStep`; otherwise null.
 */
export function checkTotp(secret: string, code: unknown, nowMs: number, lastStep: number | null): number | null {
  if (typeof code !== 'string') return null;
  const digits = code.replace(/\s+/g, '');
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits)) return null;
  let key: Secret;
  try {
    key = Secret.fromBase32(secret);
  } catch {
    return null;
  }
  const now = totpStep(nowMs);
  for (const delta of [0, -1, 1].filter((d) => Math.abs(d) <= TOTP_WINDOW)) {
    const step = now + delta;
    if (lastStep !== null && step <= lastStep) continue;
    const expected = HOTP.generate({ secret: key, algorithm: 'SHA1', digits: TOTP_DIGITS, counter: step });
    if (sameText(expected, digits)) return step;
  }
  return null;
}
