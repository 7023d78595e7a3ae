/** The control socket on a real Unix socket: requests, errors, stale sockets, a second server. */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MinewardenError } from '../core/errors.ts';
import { callControl, controlSocketPath, startControlServer } from './control.ts';

function raw(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    s.setEncoding('utf8');
    s.on('connect', () => s.write(text));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.endsWith('\n')) {
        s.end();
        resolve(buf);
      }
    });
    s.on('error', reject);
  });
}

describe('control socket', () => {
  it('answers calls, carries coded errors back, and is readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-ctl-'));
    const server = await startControlServer(dir, {
      echo: (p) => Promise.resolve({ got: p }),
      fail: () => Promise.reject(new MinewardenError('MW_ERR_NOT_FOUND', 'no unit "x"')),
    });
    try {
      expect(statSync(server.path).mode & 0o777).toBe(0o600);
      expect(await callControl(dir, 'echo', { a: [1, '二'] })).toEqual({ running: true, result: { got: { a: [1, '二'] } } });
      await expect(callControl(dir, 'fail', {})).rejects.toMatchObject({ code: 'MW_ERR_NOT_FOUND', message: 'no unit "x"' });
      await expect(callControl(dir, 'nope', {})).rejects.toThrow(/no method nope/);
      expect(await raw(server.path, 'this is not json\n')).toMatch(/"ok":false,"code":"MW_ERR_BAD_INPUT","error":"bad request/);
      // Two requests on one connection get two answers.
      const two = await new Promise<string>((resolve) => {
        const s = createConnection(server.path);
        let buf = '';
        s.setEncoding('utf8');
        s.on('connect', () => s.write('{"id":1,"method":"echo","params":1}\n{"id":2,"method":"echo","params":2}\n'));
        s.on('data', (d: string) => {
          buf += d;
          if (buf.split('\n').length > 2) {
            s.end();
            resolve(buf);
          }
        });
      });
      expect(two.trim().split('\n').map((l) => (JSON.parse(l) as { id: number }).id).sort()).toEqual([1, 2]);
    } finally {
      await server.close();
    }
  });

  it('says no server runs when there is no socket, or only a stale one, which a new server replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-ctl-'));
    expect(await callControl(dir, 'echo', {})).toEqual({ running: false });
    writeFileSync(controlSocketPath(dir), '');
    expect(await callControl(dir, 'echo', {})).toEqual({ running: false });
    const server = await startControlServer(dir, { ping: () => Promise.resolve('pong') });
    try {
      expect(await callControl(dir, 'ping', null)).toEqual({ running: true, result: 'pong' });
      await expect(startControlServer(dir, {})).rejects.toThrow(/another Minewarden server is running/);
    } finally {
      await server.close();
    }
    expect(await callControl(dir, 'ping', null)).toEqual({ running: false });
  });

  it('puts the socket of a long data directory path in the temp directory', () => {
    const long = join(tmpdir(), 'x'.repeat(120));
    const p = controlSocketPath(long);
    expect(Buffer.byteLength(p)).toBeLessThan(108);
    expect(p).toBe(controlSocketPath(long));
    expect(controlSocketPath('/srv/mw')).toBe('/srv/mw/control.sock');
  });
});
