/**
 * Logging: pino, one logger built at start-up from config and passed in.
 * `pretty` writes short human lines to stderr for a terminal; `json` writes pino's JSON lines.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LogOptions {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  format: 'pretty' | 'json';
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A small line formatter so that a terminal user reads `12:00:01 INFO  message key=value`. */
function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string): void {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { level, time, msg, pid: _pid, hostname: _host, component, ...rest } = rec;
      const t = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 19);
      const lvl = (LEVEL_NAMES[typeof level === 'number' ? level : 30] ?? 'INFO').padEnd(5);
      const comp = typeof component === 'string' ? `[${component}] ` : '';
      const extras = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      out.write(`${t} ${lvl} ${comp}${typeof msg === 'string' ? msg : JSON.stringify(msg ?? '')}${extras ? ` ${extras}` : ''}\n`);
    },
  };
}

export function createLogger(opts: LogOptions, out: NodeJS.WritableStream = process.stderr): Logger {
  const dest: DestinationStream = opts.format === 'pretty' ? prettyStream(out) : out;
  return pino({ level: opts.level, base: undefined }, dest);
}

/** A logger that writes nothing (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
