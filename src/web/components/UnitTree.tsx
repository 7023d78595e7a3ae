/** The unit tree as a collapsible list with a status dot per unit; a click opens the unit. */
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { UnitNode } from '../types.ts';
import { StatusDot } from './common.tsx';

interface TreeNode {
  unit: UnitNode;
  children: TreeNode[];
  /** The worst status in the subtree (the unit itself included). */
  worst: UnitNode['status'];
  ids: Set<string>;
}

const RANK = { infected: 2, warning: 1, ok: 0 } as const;

function build(units: UnitNode[]): TreeNode[] {
  const byId = new Map<string, TreeNode>();
  for (const u of units) byId.set(u.id, { unit: u, children: [], worst: u.status, ids: new Set([u.id]) });
  const roots: TreeNode[] = [];
  for (const n of byId.values()) {
    const parent = n.unit.parentId ? byId.get(n.unit.parentId) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  const roll = (n: TreeNode): void => {
    for (const c of n.children) {
      roll(c);
      if (RANK[c.worst] > RANK[n.worst]) n.worst = c.worst;
      for (const id of c.ids) n.ids.add(id);
    }
  };
  for (const r of roots) roll(r);
  // The worst units first, then by name: the one with an infected host is what the screen is for.
  const sort = (list: TreeNode[]): void => {
    list.sort((a, b) => RANK[b.worst] - RANK[a.worst] || a.unit.name.localeCompare(b.unit.name));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function UnitTree({ units, selected, filter = '' }: { units: UnitNode[]; selected?: string; filter?: string }): ReactNode {
  const { t } = useTranslation();
  const roots = useMemo(() => build(units), [units]);
  // Open by default: the first level, the way to the selected unit, and every subtree with trouble.
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const navigate = useNavigate();
  const f = filter.trim().toLowerCase();

  const matches = (n: TreeNode): boolean => !f || n.unit.name.toLowerCase().includes(f) || n.unit.id.includes(f) || n.children.some(matches);

  const render = (n: TreeNode, depth: number): ReactNode => {
    if (!matches(n)) return null;
    const u = n.unit;
    const isOpen = open[u.id] ?? (f !== '' || depth < 1 || n.worst !== 'ok' || (selected !== undefined && selected !== u.id && n.ids.has(selected)));
    return (
      <li key={u.id}>
        <div className={`tree-row ${selected === u.id ? 'selected' : ''}`} style={{ paddingLeft: depth * 16 + 4 }}>
          {n.children.length > 0 ? (
            <button type="button" className={`tree-toggle below-${n.worst}`} aria-label="toggle" onClick={() => setOpen({ ...open, [u.id]: !isOpen })}>
              {isOpen ? '▾' : '▸'}
            </button>
          ) : (
            <span className="tree-toggle" />
          )}
          <button type="button" className="tree-node" data-testid={`unit-node-${u.id}`} data-status={u.status} data-subtree-status={n.worst} title={`${u.id} · ${t(`unitStatus.${u.status}`)}`} onClick={() => void navigate(`/units/${encodeURIComponent(u.id)}`)}>
            {/* A unit with units below it shows the worst status of its subtree: a district is red when one of its schools is. */}
            <StatusDot status={n.worst} />
            <span className="tree-name">{u.name}</span>
            {u.openIncidents > 0 && <span className={`count sev-${u.maxSeverity ?? 'info'}`}>{u.openIncidents}</span>}
            {(u.blocked24h ?? 0) > 0 && <span className="muted small" title="blocked 24 h">{u.blocked24h?.toLocaleString()}</span>}
          </button>
        </div>
        {isOpen && n.children.length > 0 && <ul>{n.children.map((c) => render(c, depth + 1))}</ul>}
      </li>
    );
  };

  return <ul className="tree">{roots.map((r) => render(r, 0))}</ul>;
}
