/**
 * `minewarden incidents …` as a user runs it: alerts folded through `incidents ingest` (the
 * `incidents.ingest` operation), then listed, shown, acknowledged and closed as a false positive
 * that allowlists its indicator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../src/model/detect.ts';
import { mw } from './support/cli.ts';

const T0 = Date.UTC(2024, 4, 1, 8);

function alert(extra: Partial<Alert>): Alert {
  return {
    detector: 'stratum', ts: T0, client: '10.3.7.20', site: '', unit: null, severity: 'medium', confidence: 60, stage: 'mining',
    threat: 'mining:monero', title: 'Stratum login to pool.minexmr.example', indicator: 'pool.minexmr.example', controller: null,
    evidence: { wallet: '48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD', worker: 'rig7' }, ...extra,
  };
}

function seed(): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mw-incidents-'));
  const c2 = (client: string, ts: number): Alert => alert({
    client, ts, detector: 'beacon', threat: 'c2:203.0.113.7', title: 'Beaconing to 203.0.113.7', stage: 'command-and-control', severity: 'high',
    indicator: '203.0.113.7', controller: '203.0.113.7', evidence: { interval: 60, jitter: 0.02 },
  });
  const alerts = [
    alert({}), alert({ ts: T0 + 60_000, detector: 'intel-match', severity: 'high', confidence: 50 }),
    c2('10.9.0.1', T0 + 1000), c2('10.9.0.2', T0 + 2000), c2('10.9.0.3', T0 + 3000),
  ];
  writeFileSync(join(dir, 'alerts.jsonl'), alerts.map((a) => JSON.stringify(a)).join('\n'));
  return { dir };
}

describe('minewarden incidents', () => {
  it('folds alerts, lists incidents with filters, and shows one with hosts, timeline, notes and history', async () => {
    const { dir } = seed();
    expect((await mw(dir, ['incidents'])).out).toMatch(/no incidents match/);
    const ing = await mw(dir, ['incidents', 'ingest', join(dir, 'alerts.jsonl')]);
    expect(ing.err).toBe('');
    expect(ing.out).toBe('5 alerts: 5 incidents opened, 0 updated, campaigns #5\n');

    const list = (await mw(dir, ['incidents'])).out.split('\n');
    expect(list[0]).toMatch(/^ID +SEVERITY +STAGE +STATE +UNIT +HOSTS +THREAT +FIRST +LAST$/);
    expect(list.find((l) => l.startsWith('#5 '))).toMatch(/high +command-and-control +new +- +3 hosts +Botnet: 3 hosts → 203\.0\.113\.7 +2024-05-01 08:00:01 +2024-05-01 08:00:03/);
    expect(list.find((l) => l.startsWith('#1 '))).toMatch(/high +mining +new +- +10\.3\.7\.20 +mining:monero — Stratum login/);

    const json = JSON.parse((await mw(dir, ['incidents', '--json'])).out) as Array<{ id: number; alerts: number; confidence: number; campaignId: number | null }>;
    expect(json.find((i) => i.id === 1)).toMatchObject({ alerts: 2, confidence: 80, campaignId: null });
    expect(json.filter((i) => i.campaignId === 5)).toHaveLength(3);
    const ids = async (args: string[]): Promise<number[]> => (JSON.parse((await mw(dir, ['incidents', '--json', ...args])).out) as Array<{ id: number }>).map((i) => i.id);
    expect(await ids(['--campaigns'])).toEqual([5]);
    expect(await ids(['--severity', 'critical'])).toEqual([]);
    expect((await ids(['--state', 'open', '--since', '2024-05-01T08:00:02Z'])).sort()).toEqual([1, 3, 4, 5]);

    expect((await mw(dir, ['incidents', 'note', '1', 'seen', 'on', 'the', 'lab', 'switch', '--as', 'ana'])).out).toBe('#1: 1 note\n');
    expect((await mw(dir, ['incidents', 'assign', '1', 'bo', '--as', 'ana'])).out).toBe('#1 assigned to bo\n');
    const show = (await mw(dir, ['incidents', 'show', '1'])).out;
    expect(show).toMatch(/^incident #1 {2}host {2}Stratum login to pool\.minexmr\.example$/m);
    expect(show).toMatch(/state new, assigned to bo {2}severity high {2}confidence 80 {2}stage mining/);
    expect(show).toMatch(/^10\.3\.7\.20 +- +- +2024-05-01 08:00:00 +2024-05-01 08:01:00$/m);
    expect(show).toMatch(/^2024-05-01 08:01:00 +10\.3\.7\.20 +intel-match +mining +Stratum login to pool\.minexmr\.example +wallet=48edf\S{18}… worker=rig7$/m);
    expect(show).toMatch(/ana: seen on the lab switch/);
    expect(show).toMatch(/ana: assignee - → bo/);
  }, 180_000);

  it('acknowledges, refuses a backward move, and closes a false positive that allowlists the indicator', async () => {
    const { dir } = seed();
    await mw(dir, ['incidents', 'ingest', join(dir, 'alerts.jsonl')]);
    expect((await mw(dir, ['incidents', 'ack', '1', '--as', 'ana', '--note', 'looking'])).out).toBe('#1 acknowledged\n');
    expect((await mw(dir, ['incidents', 'contain', '#1', '--as', 'ana'])).out).toBe('#1 contained\n');
    const back = await mw(dir, ['incidents', 'ack', '1']);
    expect(back.code).toBe(1);
    expect(back.err).toBe('minewarden: incident #1 is contained: it cannot become acknowledged (it can go to resolved, false-positive)\n');
    expect((await mw(dir, ['incidents', 'show', '99'])).err).toBe('minewarden: no incident #99\n');

    expect((await mw(dir, ['intel', 'lookup', 'pool.minexmr.example'])).out).not.toMatch(/allowlisted/);
    const fp = await mw(dir, ['incidents', 'fp', '1', '--allowlist', '--note', 'lab benchmark', '--as', 'bo']);
    expect(fp.err).toBe('');
    expect(fp.out).toBe('#1 false-positive; allowlisted pool.minexmr.example\n');
    expect((await mw(dir, ['intel', 'lookup', 'pool.minexmr.example'])).out).toMatch(/allowlisted/);
    expect((await mw(dir, ['intel', 'allow', 'list'])).out).toMatch(/domain +pool\.minexmr\.example +false positive: incident #1 \(bo\)/);

    const show = (await mw(dir, ['incidents', 'show', '1'])).out;
    expect(show).toMatch(/ana: state new → acknowledged/);
    expect(show).toMatch(/bo: state contained → false-positive/);
    expect(show).toMatch(/bo: lab benchmark/);
    expect((await mw(dir, ['incidents', 'resolve', '1'])).err).toMatch(/is false-positive: it cannot become resolved \(it is closed; reopen it first/);
    expect((await mw(dir, ['incidents', '--state', 'false-positive', '--json'])).out).toMatch(/"id": 1,/);
    // Each change is in the audit log too, with who, before and after; the refused move is not.
    const audit = JSON.parse((await mw(dir, ['audit', '--target', 'incident:1', '--json'])).out) as Array<{ actor: string; action: string; before: unknown; after: unknown }>;
    expect(audit.map((e) => [e.actor, e.action, e.before, e.after]).reverse()).toEqual([
      ['ana', 'incident.ack', 'new', 'acknowledged'],
      ['ana', 'incident.contain', 'acknowledged', 'contained'],
      ['bo', 'incident.false-positive', { state: 'contained', allowlisted: null }, { state: 'false-positive', allowlisted: 'pool.minexmr.example' }],
    ]);
  }, 180_000);
});
