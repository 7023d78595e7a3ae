/**
 * How to start a worker thread whose entry is a module beside the caller.
 *
 * From the compiled dist/: `<name>.js` as it is. From the TypeScript sources (tsx, vitest):
 * `<name>.ts` behind a bootstrap that registers tsx's loader first. Not
 * `execArgv: ['--import', 'tsx']`: on Node 20.20 the worker's entry then still fails with
 * ERR_UNKNOWN_FILE_EXTENSION (hooks registered by --import do not reach a worker's own entry),
 * while module.register from inside the worker does. The API's ESM build is the CJS one's
 * sibling in tsx's exports map ('./esm/api': index.mjs / index.cjs).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface WorkerEntry {
  entry: URL | string;
  /** Pass as the Worker's `eval` option. */
  eval: boolean;
}

/** `callerUrl` is the caller's import.meta.url; `name` the worker module's name without extension. */
export function workerEntry(callerUrl: string, name: string): WorkerEntry {
  if (!callerUrl.endsWith('.ts')) return { entry: new URL(`./${name}.js`, callerUrl), eval: false };
  const api = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const target = new URL(`./${name}.ts`, callerUrl).href;
  return { entry: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`, eval: true };
}
