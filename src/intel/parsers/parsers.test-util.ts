/** Test helpers for the parser tests: where the real samples and our own fixtures live. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../../..');

/**
 * A file of ../shared/testdata beside the checkout (shared/README.md: CI has it there). Missing
 * data fails the test loudly rather than skipping it, so a green run always means "checked".
 */
export function testdata(...parts: string[]): string {
  return readFileSync(resolve(repoRoot, '../shared/testdata', ...parts), 'utf8');
}

/** A fixture of ours in ./fixtures (see fixtures/README.md). */
export function fixture(name: string): string {
  return readFileSync(resolve(import.meta.dirname, 'fixtures', name), 'utf8');
}
