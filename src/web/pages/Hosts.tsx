/** Hosts: server-paged search; one host with its recent queries, flows, alerts and incidents. */
import { useState, type ReactNode } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, qs } from '../api.ts';
import type { Host, HostDetail, Paged } from '../types.ts';
import { Empty, ErrorBanner, Loading, Pager, Panel, SeverityBadge } from '../components/common.tsx';
import { fmtBytes, fmtNum, fmtTime } from '../format.ts';
import { IncidentTable } from './Incidents.tsx';
import { QueryTable } from './Queries.tsx';
import { useUnits } from './Overview.tsx';

const LIMIT = 50;

export function HostTable({ items }: { items: Host[] }): ReactNode {
  const { t } = useTranslation();
  if (items.length === 0) return <Empty />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>{t('hosts.address')}</th>
          <th>{t('hosts.names')}</th>
          <th>{t('hosts.site')}</th>
          <th>{t('common.unit')}</th>
          <th>{t('hosts.firstSeen')}</th>
          <th>{t('hosts.lastSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((h) => (
          <tr key={h.id} data-testid="host-row" data-host-id={h.id}>
            <td className="mono">
              <Link to={`/hosts/${h.id}`}>{h.address}</Link>
            </td>
            <td className="small">{h.names.slice(0, 2).map((n) => n.name).join(', ') || <span className="muted">–</span>}</td>
            <td className="small">{h.site || <span className="muted">–</span>}</td>
            <td>{h.unit ? <Link to={`/units/${encodeURIComponent(h.unit)}`}>{h.unit}</Link> : <span className="muted">–</span>}</td>
            <td className="small nowrap">{fmtTime(h.firstSeen)}</td>
            <td className="small nowrap">{fmtTime(h.lastSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Hosts(): ReactNode {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const units = useUnits();
  const search = params.get('search') ?? '';
  const unit = params.get('unit') ?? '';
  const offset = Number(params.get('offset') ?? '0') || 0;
  const [text, setText] = useState(search);
  const set = (next: Record<string, string>): void => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    setParams(p, { replace: true });
  };
  const list = useQuery({
    queryKey: ['hosts', { search, unit, offset }],
    queryFn: () => api.get<Paged<Host>>(`/api/hosts${qs({ search, unit, limit: LIMIT, offset })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('hosts.title')}</h1>
        {list.data && list.data.total !== null && <span className="muted">{t('common.total', { n: fmtNum(list.data.total) })}</span>}
      </div>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          set({ search: text, offset: '' });
        }}
      >
        <label className="grow">
          {t('common.search')}
          <input data-testid="host-search" placeholder={t('hosts.search')} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          {t('common.unit')}
          <select value={unit} onChange={(e) => set({ unit: e.target.value, offset: '' })}>
            <option value="">{t('common.all')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="host-search-submit">
          {t('common.search')}
        </button>
      </form>
      <ErrorBanner error={list.error} />
      <div className="panel">
        {list.isPending ? <Loading /> : <HostTable items={list.data?.items ?? []} />}
        {list.data && (list.data.items.length > 0 || offset > 0) && <Pager offset={offset} limit={LIMIT} total={list.data.total} count={list.data.items.length} onChange={(o) => set({ offset: o ? String(o) : '' })} />}
      </div>
    </div>
  );
}

export function HostDetailPage(): ReactNode {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['host', id], queryFn: () => api.get<HostDetail>(`/api/hosts/${encodeURIComponent(id)}`) });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const { host, queries, flows, alerts, incidents } = q.data;
  return (
    <div className="page">
      <div className="breadcrumb">
        <Link to="/hosts">← {t('hosts.title')}</Link>
      </div>
      <div className="page-head">
        <h1 className="mono" data-testid="host-title">
          {host.address}
          {host.site ? <span className="muted small"> @{host.site}</span> : null}
        </h1>
      </div>
      <Panel>
        <dl className="facts wide">
          <dt>{t('common.unit')}</dt>
          <dd>{host.unit ? <Link to={`/units/${encodeURIComponent(host.unit)}`}>{host.unit}</Link> : '–'}</dd>
          <dt>{t('hosts.names')}</dt>
          <dd>{host.names.map((n) => `${n.name} (${n.source})`).join(', ') || '–'}</dd>
          <dt>{t('hosts.firstSeen')}</dt>
          <dd>{fmtTime(host.firstSeen)}</dd>
          <dt>{t('hosts.lastSeen')}</dt>
          <dd>{fmtTime(host.lastSeen)}</dd>
        </dl>
      </Panel>
      <Panel title={t('hosts.incidents')}>
        <IncidentTable items={incidents} />
      </Panel>
      <Panel title={t('hosts.alerts')}>
        {alerts.length === 0 ? (
          <Empty />
        ) : (
          <table className="table compact">
            <tbody>
              {alerts.map((a, i) => (
                <tr key={i}>
                  <td className="small nowrap">{fmtTime(a.ts)}</td>
                  <td>
                    <SeverityBadge severity={a.severity} />
                  </td>
                  <td className="small">{a.detector}</td>
                  <td>{a.title}</td>
                  <td className="mono small">{a.indicator ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={t('hosts.recentQueries')} actions={<Link to={`/queries?host=${host.id}`}>{t('nav.queries')} →</Link>}>
        <QueryTable items={queries} />
      </Panel>
      <Panel title={t('hosts.flows')}>
        {flows.length === 0 ? (
          <Empty />
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('common.time')}</th>
                <th>{t('hosts.destination')}</th>
                <th>{t('hosts.proto')}</th>
                <th className="num">{t('hosts.bytes')}</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((f, i) => (
                <tr key={i}>
                  <td className="small nowrap">{fmtTime(f.ts)}</td>
                  <td className="mono small">
                    {f.dst}:{f.dstPort}
                  </td>
                  <td className="small">{f.proto === 6 ? 'TCP' : f.proto === 17 ? 'UDP' : f.proto === 1 ? 'ICMP' : f.proto}</td>
                  <td className="num small">
                    {fmtBytes(f.bytesOut)} / {fmtBytes(f.bytesIn)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
