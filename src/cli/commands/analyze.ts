/**
 * `minewarden analyze PATH…`: try Minewarden on one's own traffic in one command. Pcaps, Zeek
 * folders, EVE files and NetFlow captures are read into a throw-away store (a temporary data
 * directory, removed afterwards), every detector runs over them, and the verdict is printed as
 * text, JSON or a self-contained HTML page. The built-in mining-pool list is always loaded;
 * `--intel FILE` adds feed files (any format `intel import` reads).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { MinewardenError } from '../../core/errors.ts';
import { FILE_KINDS, type FileKind } from '../../sensors/index.ts';
import { analyzeFiles } from '../analyze.ts';
import { openApp } from '../app.ts';
import { configFrom } from '../context.ts';
import { htmlReport, textReport } from '../report.ts';

interface AnalyzeOptions {
  format: string;
  out?: string;
  intel: string[];
  type?: string;
  site?: string;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('read pcaps, Zeek folders, EVE files or NetFlow captures into a throw-away store, run every detector, and print the incidents found')
    .argument('<paths...>', 'files or folders')
    .option('-f, --format <format>', 'text, json or html', 'text')
    .option('-o, --out <file>', 'write the report to a file instead of the terminal')
    .option('--intel <file>', 'a feed file to load besides the built-in pool list (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('-t, --type <kind>', `what the inputs are (${FILE_KINDS.join(', ')}); detected when left out`)
    .option('--site <key>', 'site the capture was taken at')
    .action(async (paths: string[], o: AnalyzeOptions, cmd: Command) => {
      if (!['text', 'json', 'html'].includes(o.format)) throw new MinewardenError('MW_ERR_BAD_INPUT', '--format must be text, json or html');
      if (o.type !== undefined && !(FILE_KINDS as readonly string[]).includes(o.type)) throw new MinewardenError('MW_ERR_BAD_INPUT', `--type must be one of ${FILE_KINDS.join(', ')}`);
      const base = configFrom(cmd);
      const dir = mkdtempSync(join(tmpdir(), 'minewarden-analyze-'));
      const config = { ...base, dataDir: dir, events: { ...base.events, writer: 'thread' as const } };
      const app = await openApp(config, createLogger({ level: 'warn', format: base.log.format }));
      try {
        await app.engine.start({ seed: config.intel.seed });
        for (const f of o.intel) {
          const text = readFileSync(resolve(f), 'utf8');
          const r = await app.engine.importText({ text, source: `analyze:${basename(f)}`, fileName: f, rebuild: false });
          process.stderr.write(`intel: ${basename(f)}: ${r.stored.toLocaleString('en')} indicators\n`);
        }
        if (o.intel.length > 0) await app.engine.rebuild();
        const result = await analyzeFiles(app, paths.map((p) => resolve(p)), {
          ...(o.type === undefined ? {} : { kind: o.type as FileKind }), ...(o.site === undefined ? {} : { site: o.site }),
        });
        const out = o.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : o.format === 'html' ? htmlReport(result) : textReport(result);
        if (o.out !== undefined) {
          writeFileSync(o.out, out);
          process.stderr.write(`report written to ${o.out}\n`);
        } else process.stdout.write(out);
      } finally {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
