/** Self time per function from a V8 .cpuprofile (node --cpu-prof), for bench/dns.ts --profile. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

/** Self time by function (summed over call sites), largest first; idle and GC kept as their own rows. */
export function selfTimes(file: string, roots: readonly string[]): { rows: SelfTime[]; totalMs: number; idleMs: number } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    ms.set(p.samples[i]!, (ms.get(p.samples[i]!) ?? 0) + dt);
  }
  const agg = new Map<string, SelfTime>();
  let total = 0;
  let idle = 0;
  for (const [id, t] of ms) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    total += t;
    if (f.functionName === '(idle)') idle += t;
    let url = f.url.replace(/^file:\/\//, '');
    for (const r of roots) if (url.startsWith(r)) url = url.slice(r.length).replace(/^\//, '');
    const where = url === '' ? '' : `${url}:${f.lineNumber + 1}`;
    const key = `${f.functionName}|${where}`;
    const a = agg.get(key) ?? { name: f.functionName || '(anonymous)', where, ms: 0, share: 0 };
    a.ms += t;
    agg.set(key, a);
  }
  const busy = total - idle;
  const rows = [...agg.values()].filter((r) => r.name !== '(idle)').sort((x, y) => y.ms - x.ms);
  for (const r of rows) r.share = busy > 0 ? r.ms / busy : 0;
  return { rows, totalMs: total, idleMs: idle };
}
