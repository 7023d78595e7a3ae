/**
 * Runs the real `minewarden` command in a child process, from the TypeScript sources (tsx), with
 * a data directory, for the CLI tests; and stops a child process by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** `minewarden --data-dir DIR ARGS…`, waited for (the directory is created and is the cwd). */
export function mw(dataDir: string, args: string[], env: Record<string, string> = {}): Run {
  mkdirSync(dataDir, { recursive: true });
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, '--data-dir', dataDir, ...args], {
    cwd: dataDir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 90_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** Like mw() without blocking this process, so that a server in the test can answer meanwhile. */
export function mwAsync(dataDir: string, args: string[]): Promise<Run> {
  mkdirSync(dataDir, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, '--data-dir', dataDir, ...args], { cwd: dataDir, env: { ...process.env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

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
