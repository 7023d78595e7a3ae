// Copies the data files the code reads at run time (src/**/data/*) beside the compiled JavaScript.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (name === 'data') cpSync(p, p.replace(/^src/, 'dist'), { recursive: true });
    else walk(p);
  }
}
walk('src');
// Marks the build as complete and as new as the sources it came from (bin/minewarden.js reads it).
import { writeFileSync } from 'node:fs';
writeFileSync('dist/.build-stamp', `${new Date().toISOString()}\n`);
