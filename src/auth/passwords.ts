/**
 * Passwords: argon2id with the OWASP parameters (m = 19 MiB, t = 2, p = 1), the password rule, and
 * a verify against a dummy hash for unknown usernames, so the time of a refusal does not tell
 * whether the user exists.
 */
import { hash, verify, type Options } from '@node-rs/argon2';
import { MinewardenError } from '../core/errors.ts';

export const MIN_PASSWORD_LENGTH = 10;

const OPTIONS: Options = {
  // Algorithm.Argon2id: the package's enum is a const enum, which isolatedModules cannot read.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a hash that cannot be parsed. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/** Spends one verify as a real login would (the caller refuses anyway). */
export async function spendVerify(password: string): Promise<void> {
  dummy ??= hashPassword(randomText());
  await verifyPassword(await dummy, password);
}

function randomText(): string {
  return `dummy-${Math.random().toString(36).slice(2)}-${Date.now()}`;
}

/** The password rule: at least MIN_PASSWORD_LENGTH characters, and not the username. */
export function checkPasswordRule(password: unknown, username: string): string {
  if (typeof password !== 'string') throw new MinewardenError('MW_ERR_BAD_INPUT', 'a password is required');
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `the password is too short: at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (password.trim().toLowerCase() === username.trim().toLowerCase()) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', 'the password must not be the username');
  }
  return password;
}
