/**
 * API tokens: `mw_` + 32 random bytes (base64url); the prefix is the first 8 characters after
 * `mw_`, to tell tokens apart in a list; only the SHA-256 of the secret is stored.
 */
import { randomBytes } from 'node:crypto';
import { MinewardenError } from '../core/errors.ts';
import type { ApiToken } from '../model/auth.ts';
import type { TokenRecord } from '../store/index.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import type { CreateTokenInput } from './types.ts';

const DAY = 86_400_000;
const MAX_TOKEN_DAYS = 3650;
const MAX_TOKEN_NAME = 100;

export function tokenView(t: TokenRecord): ApiToken {
  return { id: t.id, name: t.name, userId: t.userId, prefix: t.prefix, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt };
}

/** A new token of `userId` (checked name and lifetime) and its secret, shown once. */
export function mintToken(userId: number, input: CreateTokenInput, now: number): { record: TokenRecord; secret: string } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '' || [...name].length > MAX_TOKEN_NAME) throw new MinewardenError('MW_ERR_BAD_INPUT', `a token needs a name of 1 to ${MAX_TOKEN_NAME} characters`);
  const days = input.expiresInDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}`);
  }
  const secret = `mw_${randomSecret()}`;
  const record: TokenRecord = {
    id: randomBytes(6).toString('hex'), name, userId, prefix: secret.slice(3, 11), hash: sha256Hex(secret),
    createdAt: now, lastUsedAt: null, expiresAt: days === undefined ? null : now + days * DAY,
  };
  return { record, secret };
}
