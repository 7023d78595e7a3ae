import { appendFileSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MinewardenEvent } from '../../model/events.ts';
import type { EventOutput } from '../types.ts';
import { EveSensor } from './sensor.ts';

const EVE = fileURLToPath(new URL('../../../../shared/testdata/suricata/stratum_xmrig_rx0.eve.json', import.meta.url));

/** Refuses every other record as "behind", to exercise the drained() pacing. */
class Out implements EventOutput {
  events: MinewardenEvent[] = [];
  drains = 0;
  record(ev: MinewardenEvent): boolean {
    this.events.push(ev);
    return this.events.length % 2 === 0;
  }
  noteHostName(): void {}
  drained(): Promise<void> {
    this.drains++;
    return Promise.resolve();
  }
}

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !f(); i++) await sleep(10);
}

describe('EveSensor', () => {
  let dir = '';
  let s: EveSensor | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mw-eve-'));
  });
  afterEach(async () => {
    await s?.stop();
    s = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the real EVE file once, pacing with drained()', async () => {
    const out = new Out();
    s = new EveSensor({ paths: [EVE], site: 'lab' }, out);
    await s.start();
    await s.done;
    expect(out.events).toHaveLength(4);
    expect(out.drains).toBeGreaterThan(0);
    expect(s.stats()).toMatchObject({ fast: 2, json: 5, bad: 0, skipped: { stats: 1 } });
    expect(s.health()).toMatchObject({ events: 4, errors: 0 });
  });

  it('ingests lines written by a client to the unix_stream socket, split across writes', async () => {
    const out = new Out();
    const path = join(dir, 'eve.sock');
    s = new EveSensor({ socket: path }, out);
    await s.start();
    const c = connect(path);
    await new Promise((r) => c.once('connect', r));
    const text = (await import('node:fs')).readFileSync(EVE, 'utf8') + 'not json\n';
    for (let i = 0; i < text.length; i += 100) {
      c.write(text.slice(i, i + 100));
      await sleep(1);
    }
    c.end();
    await until(() => out.events.length >= 4 && s!.health().errors >= 1);
    expect(out.events.map((e) => e.kind).sort()).toEqual(['dns', 'dns', 'flow', 'flow']);
    expect(out.events.find((e) => e.kind === 'flow')).toMatchObject({ sensor: `suricata:${path}` });
    expect(s.health()).toMatchObject({ errors: 1, samples: [{ reason: 'not JSON', sample: 'not json' }] });
  });

  it('follows a file: lines appended after start, and a rotation', async () => {
    const out = new Out();
    const file = join(dir, 'eve.json');
    writeFileSync(file, '');
    s = new EveSensor({ paths: [file], follow: true, pollMs: 20 }, out);
    await s.start();
    await sleep(50);
    const lines = (await import('node:fs')).readFileSync(EVE, 'utf8');
    appendFileSync(file, lines);
    await until(() => out.events.length >= 4);
    expect(out.events).toHaveLength(4);
    // Rotation: the file is moved away and a new one written at the path.
    copyFileSync(file, join(dir, 'eve.json.1'));
    rmSync(file);
    writeFileSync(file, lines.split('\n').filter((l) => l.includes('"dest_port":3333')).join('\n') + '\n');
    await until(() => out.events.length >= 5);
    expect(out.events).toHaveLength(5);
    expect(out.events[4]).toMatchObject({ kind: 'flow', dstPort: 3333 });
  });
});
