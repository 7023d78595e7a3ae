/**
 * Runs the real `minewarden` command in a child process, from the TypeScript sources (tsx), with
 * a data directory, for the CLI tests; and stops a child process by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const MAIN = join(ROOT, 'src/cli/main.ts');
/** tsx's loader, for `node --import TSX MAIN …`. */
export const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * `minewarden --data-dir DIR ARGS…` (the directory is created and is the cwd), resolved when it
 * exits. Never spawnSync: a test that chains blocking runs keeps vitest's worker from answering
 * its runner, which gives up after 60 s ("Timeout calling onTaskUpdate") on a loaded machine.
 */
export function mw(dataDir: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  mkdirSync(dataDir, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, '--data-dir', dataDir, ...args], { cwd: dataDir, env: { ...process.env, ...env } });
    // Given input goes to stdin (a pipe, not a terminal); otherwise stdin is closed at once.
    child.stdin.end(input ?? '');
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out, err });
    });
  });
}

/** The same as mw() (kept for the tests that say so). */
export const mwAsync = mw;

/** SIGTERM to the child's pid, SIGKILL after graceMs; resolves when it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Serving {
  child: ChildProcess;
  /** Everything it printed so far. */
  log: () => string;
  /** The /metrics URL it announced, or '' when metrics are off. */
  metrics: string;
  /** The console's URL it announced, or '' when it is off. */
  console: string;
}

/**
 * `minewarden [--data-dir DIR] serve` in `cwd`, resolved once it logs "Minewarden ready"; rejects
 * with what it printed if it is not ready in time. Without a data dir it uses ./data of cwd.
 */
export async function startServe(cwd: string, opts: { dataDir?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Serving> {
  mkdirSync(cwd, { recursive: true });
  const dataArgs = opts.dataDir === undefined ? [] : ['--data-dir', opts.dataDir];
  // The console on a port of its own (0: any free one), unless the test says otherwise: tests run side by side.
  const env = { MINEWARDEN_API__LISTEN: '127.0.0.1:0', ...process.env, ...opts.env };
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...dataArgs, 'serve'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      clearInterval(check);
      reject(new Error(`serve did not get ready:\n${log}`));
    }, opts.timeoutMs ?? 60_000);
    const check = setInterval(() => {
      if (/Minewarden ready/.test(log)) {
        clearTimeout(t);
        clearInterval(check);
        resolve();
      }
    }, 50);
  });
  return {
    child, log: () => log,
    metrics: /metrics=(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(log)?.[1] ?? '',
    console: /console=(https?:\/\/[^\s"]+)/.exec(log)?.[1] ?? '',
  };
}
