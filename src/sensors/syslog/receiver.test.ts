import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { MinewardenEvent } from '../../model/events.ts';
import type { EventOutput } from '../types.ts';
import { parseHostPort, SyslogReceiver } from './receiver.ts';

class Out implements EventOutput {
  events: MinewardenEvent[] = [];
  record(ev: MinewardenEvent): boolean {
    this.events.push(ev);
    return true;
  }
  noteHostName(): void {}
  drained(): Promise<void> {
    return Promise.resolve();
  }
}

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !f(); i++) await sleep(10);
}

const BIND = '<30>Jan  3 11:59:58 ns1 named[812]: client @0x7f3c2c0a8b68 10.1.2.3#53214 (a.test): query: a.test IN A +E(0)K (10.0.0.1)';
const FW = '<4>Jan  3 11:00:00 gw kernel: IN=eth1 OUT=eth0 SRC=10.0.0.5 DST=185.71.66.20 LEN=60 TTL=63 ID=1 DF PROTO=TCP SPT=51000 DPT=14444 WINDOW=64240 RES=0x00 SYN URGP=0';

describe('SyslogReceiver on loopback', () => {
  let r: SyslogReceiver | null = null;
  afterEach(async () => {
    await r?.stop();
    r = null;
  });

  it('reads octet-counted and LF-framed messages over one TCP connection, split across writes', async () => {
    const out = new Out();
    r = new SyslogReceiver({ tcp: '127.0.0.1:0', site: 'hq' }, out);
    await r.start();
    const { port } = parseHostPort(r.addresses().tcp!);
    const sock = connect(port, '127.0.0.1');
    await new Promise((res) => sock.once('connect', res));
    const data = Buffer.from(`${Buffer.byteLength(BIND)} ${BIND}${FW}\n<13>Jan  3 11:00:00 h sshd[1]: unknown thing\n\0\xff garbage\n`);
    for (let i = 0; i < data.length; i += 37) {
      sock.write(data.subarray(i, i + 37));
      await sleep(1);
    }
    sock.end();
    await until(() => r!.stats().messages >= 4);
    expect(out.events.map((e) => e.kind)).toEqual(['dns', 'flow']);
    expect(out.events[0]).toMatchObject({ client: '10.1.2.3', name: 'a.test', site: 'hq' });
    expect(out.events[1]).toMatchObject({ tcpState: 'S', sensor: 'syslog:gw', dstPort: 14444 });
    expect(r.stats()).toMatchObject({ messages: 4, unknown: 2, byFormat: { bind: 1, netfilter: 1 } });
    expect(r.health().events).toBe(2);
  });

  it('reads UDP datagrams, and drops ones over the limit', async () => {
    const out = new Out();
    r = new SyslogReceiver({ udp: '127.0.0.1:0', maxBytes: 1024 }, out);
    await r.start();
    const { port } = parseHostPort(r.addresses().udp!);
    const c = createSocket('udp4');
    for (const m of [BIND, FW, 'x'.repeat(2000), '\0\0\0']) await new Promise((res) => c.send(m, port, '127.0.0.1', res));
    await until(() => r!.stats().messages + r!.stats().oversized >= 4);
    c.close();
    expect(out.events.map((e) => e.kind)).toEqual(['dns', 'flow']);
    expect(r.stats()).toMatchObject({ messages: 3, oversized: 1, unknown: 1 });
  });
});
