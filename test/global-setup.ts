/**
 * Every test's temporary files go under one directory of this run (os.tmpdir() reads TMPDIR),
 * removed when the run ends, so a test run leaves nothing behind in /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'minewarden-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  // A server started by a test never takes a fixed port: metrics go to a free one, named in the
  // ready line.
  // The DNS gateway likewise, and its upstream is a closed loopback port unless a test starts its
  // own: no test ever sends a query to the machine's (public) resolvers.
  const saved = Object.fromEntries(['MINEWARDEN_METRICS__LISTEN', 'MINEWARDEN_DNS__LISTEN', 'MINEWARDEN_DNS__UPSTREAMS', 'MINEWARDEN_API__LISTEN'].map((k) => [k, process.env[k]]));
  process.env.MINEWARDEN_METRICS__LISTEN = '127.0.0.1:0';
  process.env.MINEWARDEN_DNS__LISTEN = '127.0.0.1:0';
  process.env.MINEWARDEN_DNS__UPSTREAMS = '[127.0.0.1:9]';
  // The console and API too.
  process.env.MINEWARDEN_API__LISTEN = '127.0.0.1:0';
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
