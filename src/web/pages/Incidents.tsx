/** Incidents: server-paged table with filters; live changes refresh it (components/live.tsx). */
import { useState, type ReactNode } from 'react';
import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, qs } from '../api.ts';
import type { IncidentState, IncidentSummary, Paged } from '../types.ts';
import { Empty, ErrorBanner, Loading, Pager, SeverityBadge, StateBadge } from '../components/common.tsx';
import { SEVERITY_ORDER, fmtNum, fmtTime } from '../format.ts';
import { useUnits } from './Overview.tsx';

const STATES: IncidentState[] = ['new', 'acknowledged', 'contained', 'resolved', 'false-positive'];
const LIMIT = 50;

export function IncidentTable({ items }: { items: IncidentSummary[] }): ReactNode {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (items.length === 0) return <Empty />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t('incidents.id')}</th>
          <th>{t('incidents.severity')}</th>
          <th>{t('common.name')}</th>
          <th>{t('incidents.stage')}</th>
          <th>{t('common.unit')}</th>
          <th>{t('incidents.hosts')}</th>
          <th>{t('incidents.state')}</th>
          <th>{t('incidents.assignee')}</th>
          <th>{t('incidents.lastSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id} className={`clickable row-sev-${i.severity}`} data-testid="incident-row" data-incident-id={i.id} onClick={() => void navigate(`/incidents/${i.id}`)}>
            <td className="mono">
              <Link to={`/incidents/${i.id}`} onClick={(e) => e.stopPropagation()}>
                #{i.id}
              </Link>
            </td>
            <td>
              <SeverityBadge severity={i.severity} />
            </td>
            <td>
              <div className="strong">{i.title}</div>
              <div className="muted small mono">
                {i.kind === 'campaign' ? `${t('incidents.kindCampaign')} · ` : ''}
                {i.threat}
              </div>
            </td>
            <td className="small">{t(`stage.${i.stage}`)}</td>
            <td>{i.unit ?? <span className="muted">–</span>}</td>
            <td className="mono small">
              {i.hosts.slice(0, 2).map((h) => h.client).join(', ')}
              {i.hosts.length > 2 ? ` +${i.hosts.length - 2}` : ''}
            </td>
            <td>
              <StateBadge state={i.state} />
            </td>
            <td className="small">{i.assignee ?? <span className="muted">{t('incidents.unassigned')}</span>}</td>
            <td className="small nowrap">{fmtTime(i.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Incidents(): ReactNode {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const units = useUnits();
  const state = params.get('state') ?? '';
  const open = params.get('open') !== '0';
  const severity = params.get('severity') ?? '';
  const unit = params.get('unit') ?? '';
  const kind = params.get('kind') ?? '';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = params.get('q') ?? '';
  const offset = Number(params.get('offset') ?? '0') || 0;

  const set = (k: string, v: string): void => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v);
    else p.delete(k);
    if (k !== 'offset') p.delete('offset');
    setParams(p, { replace: true });
  };

  const list = useQuery({
    queryKey: ['incidents', { state, open, severity, unit, kind, q, offset }],
    queryFn: () => api.get<Paged<IncidentSummary>>(`/api/incidents${qs({ state, open: open && !state ? 1 : undefined, severity, unit, kind, q, limit: LIMIT, offset })}`),
    placeholderData: keepPreviousData,
  });

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('incidents.title')}</h1>
        {list.data && list.data.total !== null && <span className="muted">{t('common.total', { n: fmtNum(list.data.total) })}</span>}
      </div>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set('q', search);
        }}
      >
        <label>
          {t('incidents.state')}
          <select data-testid="incident-filter-state" value={state} onChange={(e) => set('state', e.target.value)}>
            <option value="">{t('common.any')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" data-testid="incident-filter-open" checked={open} disabled={state !== ''} onChange={(e) => set('open', e.target.checked ? '' : '0')} />
          {t('incidents.openOnly')}
        </label>
        <label>
          {t('incidents.minSeverity')}
          <select data-testid="incident-filter-severity" value={severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">{t('common.any')}</option>
            {SEVERITY_ORDER.map((s) => (
              <option key={s} value={s}>
                {t(`severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.unit')}
          <select data-testid="incident-filter-unit" value={unit} onChange={(e) => set('unit', e.target.value)}>
            <option value="">{t('common.all')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('incidents.kind')}
          <select data-testid="incident-filter-kind" value={kind} onChange={(e) => set('kind', e.target.value)}>
            <option value="">{t('common.all')}</option>
            <option value="host">{t('incidents.kindHost')}</option>
            <option value="campaign">{t('incidents.kindCampaign')}</option>
          </select>
        </label>
        <label className="grow">
          {t('common.search')}
          <input data-testid="incident-filter-q" placeholder={t('incidents.search')} value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBanner error={list.error} />
      <div className="panel">
        {list.isPending ? <Loading /> : <IncidentTable items={list.data?.items ?? []} />}
        {list.data && (list.data.items.length > 0 || offset > 0) && <Pager offset={offset} limit={LIMIT} total={list.data.total} count={list.data.items.length} onChange={(o) => set('offset', o ? String(o) : '')} />}
      </div>
    </div>
  );
}
