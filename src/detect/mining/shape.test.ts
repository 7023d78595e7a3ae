import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../model/events.ts';
import { poolLikeName, scoreMiningShape } from './shape.ts';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function flow(over: Partial<FlowEvent>): FlowEvent {
  return { kind: 'flow', ts: T0, end: T0 + 30 * MIN, client: '10.0.0.5', src: '10.0.0.5', srcPort: 50000, dst: '203.0.113.7', dstPort: 443, proto: 6, bytesOut: 0, pktsOut: 0, bytesIn: 0, pktsIn: 0, sensor: 'test', ...over };
}

// A TLS miner for 30 min: a share every ~15 s up, a job every ~60 s down, plus ACKs and keepalives
// (the XMRig capture averages 136 bytes/packet up and 227 down).
const miner = flow({ pktsOut: 300, bytesOut: 300 * 140, pktsIn: 240, bytesIn: 240 * 200 });

describe('scoreMiningShape', () => {
  it('scores a 30-minute TLS flow to a pool-like SNI with small steady packets high', () => {
    const slices = [0, 1, 2, 3, 4, 5].map((i) => flow({ ts: T0 + i * 5 * MIN, end: T0 + (i + 1) * 5 * MIN, pktsOut: 50 + (i % 2) * 4, pktsIn: 40 }));
    const s = scoreMiningShape(miner, { sni: 'pool.supportxmr.com', slices });
    expect(s.score).toBeGreaterThanOrEqual(80);
    expect(s.evidence.map((e) => e.reason)).toEqual(['long-session', 'steady-small-packets', 'symmetric-small-bytes', 'pool-like-name']);
    expect(s.evidence[1]!.detail).toMatch(/rate varies ±\d+%/);
  });

  it('scores the same shape without a name as suspicious but short of a verdict', () => {
    const s = scoreMiningShape(miner);
    expect(s.score).toBeGreaterThanOrEqual(50);
    expect(s.score).toBeLessThan(80);
  });

  it('does not call bursty slices steady', () => {
    const slices = [5, 400, 2, 300, 1, 500].map((p, i) => flow({ ts: T0 + i * 5 * MIN, end: T0 + (i + 1) * 5 * MIN, pktsOut: p, pktsIn: p }));
    expect(scoreMiningShape(miner, { slices }).evidence.map((e) => e.reason)).not.toContain('steady-small-packets');
  });

  it('scores a 30-minute video stream (full-size packets, lopsided) low', () => {
    const video = flow({ pktsOut: 20_000, bytesOut: 20_000 * 66, pktsIn: 60_000, bytesIn: 60_000 * 1400 });
    const s = scoreMiningShape(video, { sni: 'rr3---sn-4g5e6nsz.googlevideo.com' });
    expect(s.score).toBeLessThanOrEqual(25);
    expect(s.evidence.map((e) => e.reason)).toEqual(['long-session']);
  });

  it('scores a short HTTPS page load low', () => {
    const page = flow({ end: T0 + 2500, pktsOut: 25, bytesOut: 2600, pktsIn: 60, bytesIn: 80_000 });
    expect(scoreMiningShape(page, { sni: 'www.example.org', names: ['www.example.org'] })).toEqual({ score: 0, evidence: [] });
  });

  it('lets a pool port add little and never decide alone', () => {
    const s = scoreMiningShape(flow({ end: T0 + 1000, dstPort: 3333, pktsOut: 3, bytesOut: 300, pktsIn: 3, bytesIn: 300 }));
    expect(s).toEqual({ score: 5, evidence: [{ reason: 'pool-like-port', detail: 'port 3333' }] });
  });

  it('counts a known pool address and names from DNS', () => {
    const s = scoreMiningShape(flow({ end: T0 + 1000 }), { names: ['xmr-eu1.nanopool.org'], knownPool: true });
    expect(s.evidence.map((e) => e.reason)).toEqual(['pool-like-name', 'known-pool-address']);
    expect(s.score).toBe(70);
  });
});

describe('poolLikeName', () => {
  it.each([
    ['pool.supportxmr.com', true], ['gulf.moneroocean.stream', true], ['rx.unmineable.com', true],
    ['xmr-eu1.example.net', true], ['stratum+tcp://198.51.100.4:3333', true], ['eth.2miners.com', true],
    ['pool.ntp.org', false], ['0.de.pool.ntp.org', false], ['carpool.example', false], ['www.example.org', false],
    ['example.mine', false], ['', false],
  ])('%s → %s', (name, pool) => {
    expect(poolLikeName(name) !== null).toBe(pool);
  });
});
