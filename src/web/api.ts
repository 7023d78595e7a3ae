/**
 * The console's one HTTP client (docs/api.md): JSON over same-origin fetch with the session cookie,
 * the CSRF token sent on every request that changes something, errors as ApiError.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Kept from login, setup and GET /api/auth/me; sent as x-csrf-token. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request other than the auth ones answers 401 (the session ended). */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

export type QueryValue = string | number | boolean | null | undefined;

/** `?a=1&b=x` from the set values (empty strings, null and undefined are left out). */
export function qs(params: Record<string, QueryValue>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    u.set(k, v === true ? '1' : String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'MW_ERR_NETWORK', e instanceof Error ? e.message : String(e));
  }
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const err = (data && typeof data === 'object' ? (data as ErrorBody).error : undefined) ?? {};
    const e = new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? res.statusText);
    if (res.status === 401 && !path.startsWith('/api/auth/') && !path.startsWith('/api/setup')) onUnauthorized?.();
    throw e;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}): Promise<T> => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body),
  del: <T = unknown>(path: string, body?: unknown): Promise<T> => request<T>('DELETE', path, body),
};
