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
  const metrics = process.env.MINEWARDEN_METRICS__LISTEN;
  process.env.MINEWARDEN_METRICS__LISTEN = '127.0.0.1:0';
  return () => {
    if (metrics === undefined) delete process.env.MINEWARDEN_METRICS__LISTEN;
    else process.env.MINEWARDEN_METRICS__LISTEN = metrics;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(dir, { recursive: true, force: true });
  };
}
