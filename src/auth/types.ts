/** What AuthService takes and gives: inputs, results, role information. */
import type { Permission, Role, User } from '../model/auth.ts';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface LoginInput {
  username: string;
  password: string;
  totp?: string;
}

export interface LoginResult {
  /** The cookie value (shown once; only its hash is stored). */
  sessionSecret: string;
  csrfToken: string;
  user: User;
  /** The role requires a second factor the user has not enrolled: only enrolment is allowed. */
  mustEnrollTotp: boolean;
}

export interface SetupInput {
  username: string;
  password: string;
  displayName?: string;
  language?: User['language'];
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
  displayName?: string;
  units?: string[];
  language?: User['language'];
}

export interface UpdateUserInput {
  displayName?: string;
  role?: Role;
  units?: string[];
  disabled?: boolean;
  /** A new password (reset by an administrator). */
  password?: string;
  language?: User['language'];
  /** Removes the enrolled second factor (a lost phone). */
  resetTotp?: boolean;
}

export interface CreateTokenInput {
  name: string;
  expiresInDays?: number;
}

export interface RoleInfo {
  role: Role;
  permissions: Permission[];
  totpRequired: boolean;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/** Who acts on an administrative operation. */
export interface Actor {
  name: string;
  ip: string | null;
  /** The acting user (a principal), or null (the CLI). */
  userId: number | null;
}
