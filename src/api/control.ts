/**
 * The local control socket of a running `serve`: a Unix socket in the data directory (mode 0600,
 * so only the user who runs Minewarden may use it) that speaks JSON lines — one request
 * `{"id":1,"method":"events.query","params":{…}}` per line, one reply `{"id":1,"ok":true,"result":…}`
 * or `{"id":1,"ok":false,"code":"MW_ERR_…","error":"…"}` per request.
 *
 * It exists because the embedded DuckDB admits one process per database file: one-shot commands
 * (`events query`, `db stats`, `backup`) ask the running server instead of opening the files.
 * The handlers are plain functions given by the composition root; this file only carries them.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MinewardenError, errorMessage, isMinewardenError, ERROR_CODES, type ErrorCode } from '../core/errors.ts';

/** Largest request line (a chunk of `events import` is at most about 1 MB). */
const MAX_REQUEST = 16 * 1024 * 1024;

export type ControlHandler = (params: unknown) => Promise<unknown>;

/** Unix socket paths are limited to about 107 bytes; a long data directory gets one in the temp dir. */
export function controlSocketPath(dataDir: string): string {
  const p = join(resolve(dataDir), 'control.sock');
  if (Buffer.byteLength(p) < 100) return p;
  return join(tmpdir(), `minewarden-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)}.sock`);
}

interface Request {
  id: number;
  method: string;
  params?: unknown;
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listens on the data directory's control socket. A socket file left by a process that died is
 * replaced; one that answers means another server runs here, which is an error.
 */
export async function startControlServer(dataDir: string, handlers: Readonly<Record<string, ControlHandler>>): Promise<ControlServer> {
  const path = controlSocketPath(dataDir);
  if (existsSync(path)) {
    if (await answers(path)) throw new MinewardenError('MW_ERR_CONFLICT', `another Minewarden server is running on ${dataDir} (${path})`);
    rmSync(path, { force: true });
  }
  const server = createServer((sock) => serve(sock, handlers));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(path, () => {
      server.off('error', fail);
      ok();
    });
  });
  chmodSync(path, 0o600);
  return { path, close: () => closeServer(server, path) };
}

function closeServer(server: Server, path: string): Promise<void> {
  return new Promise((ok) => {
    server.close(() => {
      rmSync(path, { force: true });
      ok();
    });
  });
}

function serve(sock: Socket, handlers: Readonly<Record<string, ControlHandler>>): void {
  sock.setEncoding('utf8');
  let buf = '';
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_REQUEST) {
      sock.end(`${JSON.stringify({ id: 0, ok: false, code: 'MW_ERR_BAD_INPUT', error: 'request too large' })}\n`);
      return;
    }
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() !== '') void answer(sock, line, handlers);
    }
  });
}

async function answer(sock: Socket, line: string, handlers: Readonly<Record<string, ControlHandler>>): Promise<void> {
  let req: Request;
  try {
    req = JSON.parse(line) as Request;
    if (typeof req.id !== 'number' || typeof req.method !== 'string') throw new Error('id and method are required');
  } catch (e) {
    sock.write(`${JSON.stringify({ id: 0, ok: false, code: 'MW_ERR_BAD_INPUT', error: `bad request: ${errorMessage(e)}` })}\n`);
    return;
  }
  const h = handlers[req.method];
  let reply: Record<string, unknown>;
  if (h === undefined) reply = { id: req.id, ok: false, code: 'MW_ERR_NOT_FOUND', error: `no method ${req.method}` };
  else {
    try {
      reply = { id: req.id, ok: true, result: (await h(req.params)) ?? null };
    } catch (e) {
      reply = { id: req.id, ok: false, code: isMinewardenError(e) ? e.code : 'MW_ERR_STORE', error: errorMessage(e) };
    }
  }
  if (!sock.destroyed) sock.write(`${JSON.stringify(reply)}\n`);
}

function answers(path: string): Promise<boolean> {
  return new Promise((ok) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

/**
 * Calls a method on the server running on `dataDir`. Resolves to `{ running: false }` when no
 * server listens there (no socket, or a stale one), so the caller can open the files itself.
 */
export function callControl(dataDir: string, method: string, params: unknown, timeoutMs = 600_000): Promise<{ running: false } | { running: true; result: unknown }> {
  const path = controlSocketPath(dataDir);
  if (!existsSync(path)) return Promise.resolve({ running: false });
  return new Promise((ok, fail) => {
    const s = createConnection(path);
    let connected = false;
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      fail(new MinewardenError('MW_ERR_STORE', `the server did not answer ${method} within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.once('connect', () => {
      connected = true;
      s.write(`${JSON.stringify({ id: 1, method, params })}\n`);
    });
    s.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      s.end();
      const reply = JSON.parse(buf.slice(0, nl)) as { ok: boolean; result?: unknown; code?: string; error?: string };
      if (reply.ok) ok({ running: true, result: reply.result });
      else fail(new MinewardenError(isCode(reply.code) ? reply.code : 'MW_ERR_STORE', reply.error ?? 'the server refused'));
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!connected && (e.code === 'ECONNREFUSED' || e.code === 'ENOENT')) ok({ running: false });
      else fail(new MinewardenError('MW_ERR_STORE', `control socket ${path}: ${e.message}`));
    });
  });
}

function isCode(c: string | undefined): c is ErrorCode {
  return c !== undefined && c in ERROR_CODES;
}
