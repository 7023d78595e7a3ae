/** Durations as people write them in config: 30s, 15m, 6h, 1d, 2w, or a number of seconds. */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export function parseDuration(input: string | number): number | null {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/.exec(input);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = UNITS[m[2] === '' || m[2] === undefined ? 's' : m[2]] ?? 1;
  return n * unit;
}

export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 86400) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Epoch seconds now. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Epoch seconds as an ISO date-time, or '-' for 0. */
export function isoOrDash(epochSeconds: number): string {
  return epochSeconds > 0 ? new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z') : '-';
}
