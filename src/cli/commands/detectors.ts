/** `minewarden detectors`: every detector, how it runs, its parameters and whether config turned it off. */
import type { Command } from 'commander';
import { DETECTORS } from '../../detect/index.ts';
import { configFrom } from '../context.ts';
import { json, table } from '../output.ts';

export function registerDetectors(program: Command): void {
  program
    .command('detectors')
    .description('the detectors: id, stream or windowed (every / window), parameters with their values, on or off')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const rows = DETECTORS.map((d) => ({
        id: d.id,
        runs: d.mode === 'stream' ? `stream: ${d.inputs.join(', ')}` : `every ${d.every / 60} min over ${d.window / 3600} h`,
        enabled: !config.detect.disabled.includes(d.id),
        params: Object.fromEntries(Object.entries(d.params).map(([k, p]) => [k, config.detect.params[d.id]?.[k] ?? p.default])),
        title: d.title,
      }));
      if (o.json === true) return json(rows);
      table(rows.map((r) => ({ detector: r.id, on: r.enabled ? 'yes' : 'no', runs: r.runs, params: Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' '), what: r.title })));
    });
}
