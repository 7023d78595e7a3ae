#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the prepare script, or `npm run build`).
// When there is no build, or a source file is newer than it (a checkout that moved on), it runs
// the TypeScript sources through tsx instead, so a stale build is never what runs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = `${root}dist/.build-stamp`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const built = existsSync(stamp) && (!existsSync(`${root}src`) || newestSource(`${root}src`) <= statSync(stamp).mtimeMs);
if (built) {
  await import(new URL('../dist/cli/main.js', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
