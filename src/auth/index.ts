/**
 * Front door of authentication: users, sessions, API tokens, TOTP, lock-out, role settings and
 * the audit log. Imports only model, core, config and store.
 */
export { AuthService, type AuthServiceOptions } from './service.ts';
export type {
  CreateTokenInput, CreateUserInput, LoginInput, LoginResult, RequestMeta, RoleInfo, SetupInput, TotpSetup, UpdateUserInput,
} from './types.ts';
export { AuditLog, actorOf, withoutSecrets } from './audit.ts';
export { MIN_PASSWORD_LENGTH, checkPasswordRule } from './passwords.ts';
export { LANGUAGES, normalizeUsername, parseRole, publicUser } from './users.ts';
