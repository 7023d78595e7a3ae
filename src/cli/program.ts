/**
 * The `minewarden` command. Each subcommand lives in commands/; this file only wires them and
 * turns errors into a clear message and an exit code.
 */
import { Command } from 'commander';
import { isMinewardenError, errorMessage } from '../core/errors.ts';
import { registerServe } from './commands/serve.ts';
import { registerIntel } from './commands/intel.ts';
import { registerUnits } from './commands/units.ts';
import { registerEvents } from './commands/events.ts';
import { registerHosts } from './commands/hosts.ts';
import { registerIncidents } from './commands/incidents.ts';
import { registerDb } from './commands/db.ts';
import { registerForwarder } from './commands/forwarder.ts';
import { registerSensors } from './commands/sensors.ts';
import { registerAnalyze } from './commands/analyze.ts';
import { registerDetectors } from './commands/detectors.ts';
import { registerAudit } from './commands/audit.ts';
import { registerPolicy } from './commands/policy.ts';
import { registerReport } from './commands/report.ts';
import { registerUsers } from './commands/users.ts';

export function buildProgram(): Command {
  const program = new Command('minewarden')
    .description('Finds and stops cryptomining malware and botnets in large networks')
    .version('0.1.0')
    .option('-c, --config <file>', 'configuration file (default: ./minewarden.yaml if present)')
    .option('-d, --data-dir <dir>', 'data directory (default: ./data)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .showHelpAfterError();
  registerServe(program);
  registerIntel(program);
  registerUnits(program);
  registerEvents(program);
  registerHosts(program);
  registerIncidents(program);
  registerDb(program);
  registerForwarder(program);
  registerSensors(program);
  registerAnalyze(program);
  registerDetectors(program);
  registerAudit(program);
  registerPolicy(program);
  registerReport(program);
  registerUsers(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (isMinewardenError(e)) {
      process.stderr.write(`minewarden: ${e.message}\n`);
      process.exitCode = e.code === 'MW_ERR_CONFIG' ? 2 : 1;
    } else {
      process.stderr.write(`minewarden: unexpected error: ${errorMessage(e)}\n${e instanceof Error ? (e.stack ?? '') : ''}\n`);
      process.exitCode = 1;
    }
  }
}


