/**
 * `minewarden report daily|monthly`: the daily patrol (default: yesterday) and the monthly summary
 * (default: last month) as text, JSON or PDF. Built through OPS, so it reads the running server
 * when `serve` holds the data directory, and the directory itself otherwise.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MinewardenError } from '../../core/errors.ts';
import { checkTimeZone, lastMonth, parseLang, yesterday } from '../../reports/index.ts';
import { runOp } from '../ops.ts';
import { REPORT_FORMATS, type ReportFormat, type ReportParams } from '../report-ops.ts';
import { json } from '../output.ts';

interface ReportOptions {
  date?: string;
  month?: string;
  lang: string;
  format: string;
  out?: string;
  tz?: string;
}

async function run(kind: ReportParams['kind'], o: ReportOptions, cmd: Command): Promise<void> {
  if (!(REPORT_FORMATS as readonly string[]).includes(o.format)) {
    throw new MinewardenError('MW_ERR_BAD_INPUT', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
  }
  const format = o.format as ReportFormat;
  if (format === 'pdf' && o.out === undefined) throw new MinewardenError('MW_ERR_BAD_INPUT', 'a PDF needs -o FILE');
  const lang = parseLang(o.lang);
  const timeZone = o.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  checkTimeZone(timeZone);
  const period = kind === 'daily' ? (o.date ?? yesterday(Date.now(), timeZone)) : (o.month ?? lastMonth(Date.now(), timeZone));
  const r = await runOp(cmd, 'reports.build', { kind, period, timeZone, lang, format });
  const body = format === 'pdf' ? Buffer.from(r.pdf ?? '', 'base64') : format === 'text' ? (r.text ?? '') : `${JSON.stringify(r.report, null, 2)}\n`;
  if (o.out === undefined) {
    if (format === 'json') json(r.report);
    else process.stdout.write(body);
    return;
  }
  writeFileSync(o.out, body);
  process.stderr.write(`wrote ${o.out}\n`);
}

function common(c: Command): Command {
  return c
    .option('--lang <lang>', 'en or zh', 'en')
    .option('--format <format>', 'text, json or pdf', 'text')
    .option('-o, --out <file>', 'write to a file (required for pdf)')
    .option('--tz <zone>', 'time zone the days are counted in (default: this machine\'s)');
}

export function registerReport(program: Command): void {
  const report = program.command('report').description('reports: the daily patrol and the monthly summary (text, JSON or PDF)');
  common(report.command('daily').description('what changed since the day before, open incidents, new infections, top blocks, sensor health')
    .option('--date <YYYY-MM-DD>', 'the day (default: yesterday)'))
    .action((o: ReportOptions, cmd: Command) => run('daily', o, cmd));
  common(report.command('monthly').description('mining cases, pool connections blocked, threat events, per day and unit, against the month before')
    .option('--month <YYYY-MM>', 'the month (default: last month)'))
    .action((o: ReportOptions, cmd: Command) => run('monthly', o, cmd));
}
