/** Units: the tree on the left, the selected unit on the right (path, status, hosts, incidents, history). */
import { useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import type { UnitDetail } from '../types.ts';
import { Chart, COLORS, timeSeriesOption } from '../components/Chart.tsx';
import { Empty, ErrorBanner, Loading, Panel, StatusDot } from '../components/common.tsx';
import { UnitTree } from '../components/UnitTree.tsx';
import { useUnits } from './Overview.tsx';
import { IncidentTable } from './Incidents.tsx';
import { HostTable } from './Hosts.tsx';

export function Units(): ReactNode {
  const { id } = useParams();
  const { t } = useTranslation();
  const units = useUnits();
  const [filter, setFilter] = useState('');
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('units.title')}</h1>
      </div>
      <div className="grid-units">
        <Panel className="tree-panel tall">
          <input className="tree-filter" data-testid="unit-filter" placeholder={t('units.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
          {units.isPending ? <Loading /> : units.data && units.data.length > 0 ? <UnitTree units={units.data} selected={id} filter={filter} /> : <Empty />}
          <ErrorBanner error={units.error} />
        </Panel>
        <div>{id ? <UnitView id={id} /> : <Empty text={t('units.select')} />}</div>
      </div>
    </div>
  );
}

function UnitView({ id }: { id: string }): ReactNode {
  const { t } = useTranslation();
  const units = useUnits();
  const q = useQuery({ queryKey: ['unit', id], queryFn: () => api.get<UnitDetail>(`/api/units/${encodeURIComponent(id)}`) });
  const names = useMemo(() => new Map((units.data ?? []).map((u) => [u.id, u.name])), [units.data]);
  const chart = useMemo(
    () =>
      q.data
        ? timeSeriesOption(q.data.history.t, [
            { name: t('overview.queries'), data: q.data.history.queries, color: COLORS.queries, area: true },
            { name: t('overview.blocked'), data: q.data.history.blocked, color: COLORS.blocked, area: true },
          ])
        : null,
    [q.data, t],
  );
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const { unit, path, hosts, incidents } = q.data;
  const status = typeof q.data.status === 'string' ? q.data.status : q.data.status.status;
  return (
    <div className="unit-view">
      <div className="breadcrumb" data-testid="unit-path">
        {path.map((p, i) => {
          const pid = typeof p === 'string' ? p : p.id;
          const name = typeof p === 'string' ? (names.get(p) ?? p) : (p.name ?? names.get(p.id) ?? p.id);
          return (
            <span key={pid}>
              {i > 0 && ' / '}
              <Link to={`/units/${encodeURIComponent(pid)}`}>{name}</Link>
            </span>
          );
        })}
      </div>
      <div className="page-head">
        <h2 className="unit-title" data-testid="unit-title" data-status={status}>
          <StatusDot status={status} /> {unit.name} <span className={`badge status-${status}`}>{t(`unitStatus.${status}`)}</span>
        </h2>
      </div>
      <Panel>
        <dl className="facts wide">
          <dt>ID</dt>
          <dd className="mono">{unit.id}</dd>
          <dt>{t('units.kind')}</dt>
          <dd>{unit.kind ?? '–'}</dd>
          <dt>{t('units.cidrs')}</dt>
          <dd className="mono small">{unit.cidrs.join(', ') || '–'}</dd>
          <dt>{t('units.egress')}</dt>
          <dd className="mono small">{unit.egress.join(', ') || '–'}</dd>
          <dt>{t('units.contacts')}</dt>
          <dd>{unit.contacts.map((c) => [c.name, c.role, c.email, c.phone].filter(Boolean).join(' · ')).join('; ') || '–'}</dd>
        </dl>
      </Panel>
      <Panel title={t('units.history')}>{chart && <Chart option={chart} height={220} />}</Panel>
      <Panel title={t('units.openIncidents')}>
        <IncidentTable items={incidents} />
      </Panel>
      <Panel title={t('units.hosts')}>
        <HostTable items={hosts} />
      </Panel>
    </div>
  );
}
