/**
 * `minewarden forwarder`: the site agent. It needs no data directory or store — it forwards every
 * query to the central gateway with the client's real address in the identity option.
 */
import type { Command } from 'commander';
import { createLogger } from '../../core/log.ts';
import { Forwarder } from '../../dns/index.ts';
import { configFrom } from '../context.ts';

export function registerForwarder(program: Command): void {
  program
    .command('forwarder')
    .description("run the site forwarder: answers a site's clients through the central gateway, naming each client to it")
    .option('--upstream <address...>', 'the central gateway (overrides forwarder.upstreams)')
    .option('--listen <address...>', 'where to answer (overrides forwarder.listen)')
    .action(async (o: { upstream?: string[]; listen?: string[] }, cmd: Command) => {
      const config = configFrom(cmd);
      const log = createLogger(config.log);
      const f = config.forwarder;
      const fwd = await Forwarder.start({
        listen: o.listen ?? f.listen, upstreams: o.upstream ?? f.upstreams, allow: f.allow, timeout: f.timeout,
        ...(f.applianceId === undefined ? {} : { applianceId: f.applianceId }),
      }, log);
      log.info({ listen: fwd.addresses.map((a) => `${a.proto}://${a.host}:${a.port}`).join(' '), upstreams: (o.upstream ?? f.upstreams).join(' ') }, 'forwarder ready');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info('forwarder stopping');
      await fwd.close();
    });
}
