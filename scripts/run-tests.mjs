// Runs the Vitest suite and ends with one plain closing line, "tests: N passed, N failed, N skipped",
// which CI systems that do not know Vitest can read. Exits with Vitest's own status.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const out = '.vitest-results.json';
rmSync(out, { force: true });
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], { stdio: 'inherit' });
let summary = 'tests: 0 passed, 0 failed';
try {
  const j = JSON.parse(readFileSync(out, 'utf8'));
  const skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  summary = `tests: ${j.numPassedTests} passed, ${j.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
} catch {
  summary = 'tests: 0 passed, 1 failed';
}
console.log(summary);
process.exit(r.status ?? 1);
