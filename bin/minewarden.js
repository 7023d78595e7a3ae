#!/usr/bin/env node
// Runs the compiled CLI (built by `npm install` through the prepare script); falls back to the
// TypeScript sources through tsx when no build exists (a fresh checkout during development).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
