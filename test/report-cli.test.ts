/**
 * `minewarden report` as a user runs it: the XMRig capture ingested with `minewarden ingest`, then
 * the daily patrol of that day as JSON (the mining incident is in it) and as a PDF file; and the
 * same through a running `serve`, which adds its sensors' health.
 */
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DailyPatrol, MonthlySummary } from '../src/reports/index.ts';
import { mw, startServe, stopChild } from './support/cli.ts';

const DATA = new URL('../../shared/testdata/', import.meta.url).pathname;

describe('minewarden report', () => {
  it('shows the mining incident of an ingested capture in the daily patrol of its day, as JSON and as a PDF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-report-'));
    const ing = await mw(dir, ['ingest', join(DATA, 'pcap/stratum_xmrig_rx0.pcap')]);
    expect(ing.code, ing.err).toBe(0);
    const incidents = JSON.parse((await mw(dir, ['incidents', '--json'])).out) as Array<{ id: number; firstSeen: number; threat: string }>;
    expect(incidents).toHaveLength(1);
    const day = new Date(incidents[0]!.firstSeen).toISOString().slice(0, 10);

    const r = await mw(dir, ['report', 'daily', '--date', day, '--tz', 'UTC', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    const daily = JSON.parse(r.out) as DailyPatrol;
    expect(daily).toMatchObject({ kind: 'daily', date: day, timeZone: 'UTC', scope: null });
    expect(daily.incidents.openedToday).toMatchObject([{ id: incidents[0]!.id, threat: 'mining', severity: 'high', host: '127.0.0.1', stage: 'mining' }]);
    expect(daily.incidents.open.map((i) => i.id)).toEqual([incidents[0]!.id]);
    expect(daily.infected.today.hosts).toEqual(['127.0.0.1']);
    expect(daily.healthNote).toMatch(/no server running/);

    const month = JSON.parse((await mw(dir, ['report', 'monthly', '--month', day.slice(0, 7), '--tz', 'UTC', '--format', 'json'])).out) as MonthlySummary;
    expect(month.figures).toMatchObject({ miningCases: 1, threatEvents: 0 });

    const pdf = join(dir, 'x.pdf');
    const p = await mw(dir, ['report', 'daily', '--date', day, '--tz', 'UTC', '--format', 'pdf', '-o', pdf]);
    expect(p.code, p.err).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');

    const text = await mw(dir, ['report', 'daily', '--date', day, '--tz', 'UTC', '--lang', 'zh']);
    expect(text.out).toMatch(/每日巡检/);
    expect(text.out).toMatch(/Monero mining/);

    const noOut = await mw(dir, ['report', 'monthly', '--format', 'pdf']);
    expect(noOut.code).toBe(1);
    expect(noOut.err).toMatch(/a PDF needs -o FILE/);
    expect(existsSync(join(dir, 'report.pdf'))).toBe(false);
  }, 120_000);
});

describe('minewarden report with serve running', () => {
  let server: ChildProcess | null = null;
  afterAll(async () => {
    if (server !== null) await stopChild(server);
  });

  it('builds the report on the server, with its sensors\' health, and sends the PDF over the control socket', async () => {
    const data = mkdtempSync(join(tmpdir(), 'mw-report-serve-'));
    const s = createSocket('udp4');
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
    const port = s.address().port;
    s.close();
    writeFileSync(join(data, 'minewarden.yaml'), `sensors:\n  syslog: [{ udp: "127.0.0.1:${port}" }]\n`);
    server = (await startServe(data, { dataDir: data })).child;
    const ing = await mw(data, ['ingest', join(DATA, 'pcap/stratum_xmrig_rx0.pcap')]);
    expect(ing.code, ing.err).toBe(0);
    const incidents = JSON.parse((await mw(data, ['incidents', '--json'])).out) as Array<{ id: number; firstSeen: number }>;
    const day = new Date(incidents[0]!.firstSeen).toISOString().slice(0, 10);

    const r = await mw(data, ['report', 'daily', '--date', day, '--tz', 'UTC', '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    const daily = JSON.parse(r.out) as DailyPatrol;
    expect(daily.incidents.openedToday.map((i) => i.id)).toEqual([incidents[0]!.id]);
    expect(daily.healthNote).toBeNull();
    expect(daily.health).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'sensor', status: expect.stringMatching(/ok|stale/) as unknown })]));

    const pdf = join(data, 'm.pdf');
    const p = await mw(data, ['report', 'monthly', '--month', day.slice(0, 7), '--tz', 'UTC', '--format', 'pdf', '-o', pdf]);
    expect(p.code, p.err).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  }, 150_000);
});
