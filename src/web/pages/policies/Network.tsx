/** Policy groups, the gateways' applied revisions, and the effective policy of a unit. */
import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import type { EffectivePolicy, GatewayStatus, GatewaysAnswer, PolicyGroup, PolicyOrigin } from '../../types.ts';
import { Empty, ErrorBanner, Loading, Panel } from '../../components/common.tsx';
import { useSession } from '../../components/session.tsx';
import { fmtTime } from '../../format.ts';
import { lines } from './Editor.tsx';

export function Groups(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['policy-groups'], queryFn: () => api.get<PolicyGroup[]>('/api/policy-groups') });
  const [form, setForm] = useState({ name: '', description: '', units: '' });
  const save = useMutation({
    mutationFn: () => api.put(`/api/policy-groups/${encodeURIComponent(form.name.trim())}`, { description: form.description, units: lines(form.units) }),
    onSuccess: () => {
      setForm({ name: '', description: '', units: '' });
      void qc.invalidateQueries({ queryKey: ['policy-groups'] });
    },
  });
  const remove = useMutation({
    mutationFn: (name: string) => api.del(`/api/policy-groups/${encodeURIComponent(name)}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['policy-groups'] }),
  });
  return (
    <Panel title={t('policies.groups')}>
      <ErrorBanner error={q.error ?? save.error ?? remove.error} />
      {q.data && q.data.length === 0 && <Empty />}
      {q.data && q.data.length > 0 && (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('policies.groupName')}</th>
              <th>{t('policies.description')}</th>
              <th>{t('nav.units')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.map((g) => (
              <tr key={g.name} data-testid="policy-group-row">
                <td className="mono">{g.name}</td>
                <td className="small">{g.description}</td>
                <td className="small mono">{g.units.join(', ')}</td>
                <td className="nowrap">
                  {can('policy:write') && (
                    <>
                      <button type="button" className="link" onClick={() => setForm({ name: g.name, description: g.description, units: g.units.join(', ') })}>
                        {t('common.edit')}
                      </button>
                      <button type="button" className="link danger-text" onClick={() => window.confirm(t('common.confirmDelete', { name: g.name })) && remove.mutate(g.name)}>
                        {t('common.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {can('policy:write') && (
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (form.name.trim()) save.mutate();
          }}
        >
          <label>
            {t('policies.groupName')}
            <input data-testid="group-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </label>
          <label className="grow">
            {t('policies.description')}
            <input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </label>
          <label className="grow">
            {t('policies.units')}
            <input data-testid="group-units" value={form.units} onChange={(e) => setForm({ ...form, units: e.target.value })} />
          </label>
          <button type="submit" data-testid="group-save" disabled={save.isPending}>
            {t('policies.saveGroup')}
          </button>
        </form>
      )}
    </Panel>
  );
}

export function normaliseGateways(a: GatewaysAnswer | undefined): { current: number | null; gateways: GatewayStatus[] } {
  if (!a) return { current: null, gateways: [] };
  if (Array.isArray(a)) {
    const cur = a.find((g) => g.currentRevision !== undefined || g.current !== undefined);
    return { current: cur?.currentRevision ?? cur?.current ?? null, gateways: a };
  }
  return { current: a.currentRevision ?? a.current ?? a.revision ?? null, gateways: a.gateways ?? a.items ?? [] };
}

export function Gateways(): ReactNode {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['gateways'], queryFn: () => api.get<GatewaysAnswer>('/api/gateways'), refetchInterval: 10_000 });
  const { current, gateways } = normaliseGateways(q.data);
  return (
    <Panel title={t('policies.gateways')} actions={current !== null ? <span className="muted">{t('policies.current', { revision: current })}</span> : null}>
      <ErrorBanner error={q.error} />
      {q.isPending ? (
        <Loading />
      ) : gateways.length === 0 ? (
        <Empty />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('policies.gateway')}</th>
              <th>{t('policies.hostname')}</th>
              <th>{t('policies.started')}</th>
              <th>{t('policies.lastSeen')}</th>
              <th>{t('policies.revision')}</th>
              <th>{t('policies.appliedAt')}</th>
              <th>{t('common.status')}</th>
            </tr>
          </thead>
          <tbody>
            {gateways.map((g) => {
              const applied = current === null || g.policyRevision >= current;
              return (
                <tr key={g.id} data-testid="gateway-row" data-applied={applied ? 'applied' : 'pending'}>
                  <td className="mono small">{g.id}</td>
                  <td>{g.hostname}</td>
                  <td className="small nowrap">{fmtTime(g.startedAt)}</td>
                  <td className="small nowrap">{fmtTime(g.lastSeenAt)}</td>
                  <td className="mono">
                    {g.policyRevision}
                    {current !== null ? ` / ${current}` : ''}
                  </td>
                  <td className="small nowrap">{fmtTime(g.appliedAt)}</td>
                  <td>
                    <span className={`tag ${applied ? 'tag-ok' : 'tag-warn'}`}>{applied ? t('policies.applied') : t('policies.pending')}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

/** What a unit's clients actually get: every setting with the scope it came from. */
export function Effective({ unit }: { unit: string }): ReactNode {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['policy-effective', unit], queryFn: () => api.get<EffectivePolicy>(`/api/policies/effective/${encodeURIComponent(unit)}`) });
  // A setting's origin: a stored version, the configuration file (version null), or the built-in default (no origin).
  const from = (o: PolicyOrigin | null): string => (o === null ? t('policies.builtIn') : o.version === null ? t('policies.configFile') : `${o.scope} v${o.version}`);
  return (
    <Panel title={t('policies.effective', { unit })} actions={q.data ? <span className="muted small mono">{q.data.scopes.join(' → ')}</span> : null}>
      <ErrorBanner error={q.error} />
      {q.isPending ? (
        <Loading />
      ) : q.data ? (
        <table className="table compact" data-testid="policy-effective">
          <tbody>
            {Object.entries(q.data.categories).map(([c, v]) => (
              <tr key={c}>
                <td className="mono">{c}</td>
                <td>
                  <span className={`tag action-tag-${v.action}`}>{v.action}</span>
                </td>
                <td className="muted small mono">{from(v.from)}</td>
              </tr>
            ))}
            <tr>
              <td>{t('policies.defaultAction')}</td>
              <td>
                <span className={`tag action-tag-${q.data.defaultAction.action}`}>{q.data.defaultAction.action}</span>
              </td>
              <td className="muted small mono">{from(q.data.defaultAction.from)}</td>
            </tr>
            <tr>
              <td>{t('policies.blockAction')}</td>
              <td>{q.data.blockAction?.action ?? t('policies.inherit')}</td>
              <td className="muted small mono">{q.data.blockAction ? from(q.data.blockAction.from) : ''}</td>
            </tr>
            {q.data.deny.map((d) => (
              <tr key={`deny-${d.name}`}>
                <td className="mono">{d.name}</td>
                <td>
                  <span className="tag action-tag-block">deny</span>
                </td>
                <td className="muted small mono">{from(d.from)}</td>
              </tr>
            ))}
            {q.data.allow.map((d) => (
              <tr key={`allow-${d.name}`}>
                <td className="mono">{d.name}</td>
                <td>
                  <span className="tag action-tag-allow">allow</span>
                </td>
                <td className="muted small mono">{from(d.from)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Panel>
  );
}
