/**
 * One EventSource on /api/live for the whole console: keeps the last 100 blocks and incidents
 * (newest first) and the last stats, and refreshes incident lists when an incident changes.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { IncidentSummary, LiveBlock, LiveStats } from '../types.ts';

export type LiveItem = { id: number; type: 'block'; data: LiveBlock } | { id: number; type: 'incident'; data: IncidentSummary };

interface Live {
  items: LiveItem[];
  stats: LiveStats | null;
  connected: boolean;
}

const MAX_ITEMS = 100;
const LiveContext = createContext<Live>({ items: [], stats: null, connected: false });

export function useLive(): Live {
  return useContext(LiveContext);
}

export function LiveProvider({ children }: { children: ReactNode }): ReactNode {
  const qc = useQueryClient();
  const [items, setItems] = useState<LiveItem[]>([]);
  const [stats, setStats] = useState<LiveStats | null>(null);
  const [connected, setConnected] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/live');
    const push = (item: LiveItem): void => setItems((prev) => [item, ...prev].slice(0, MAX_ITEMS));
    const parse = (e: MessageEvent): unknown => {
      try {
        return JSON.parse(String(e.data));
      } catch {
        return null;
      }
    };
    es.onopen = () => setConnected(true);
    es.onerror = () => setConnected(false);
    es.addEventListener('block', (e) => {
      const d = parse(e) as LiveBlock | null;
      if (d) push({ id: ++seq.current, type: 'block', data: d });
    });
    es.addEventListener('incident', (e) => {
      const d = parse(e) as IncidentSummary | null;
      if (!d) return;
      push({ id: ++seq.current, type: 'incident', data: d });
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void qc.invalidateQueries({ queryKey: ['incident', String(d.id)] });
      void qc.invalidateQueries({ queryKey: ['units'] });
    });
    es.addEventListener('stats', (e) => {
      const d = parse(e) as LiveStats | null;
      if (d) setStats(d);
    });
    return () => es.close();
  }, [qc]);

  return <LiveContext.Provider value={{ items, stats, connected }}>{children}</LiveContext.Provider>;
}
