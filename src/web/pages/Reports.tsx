/** Reports: the daily patrol and the monthly summary rendered from their JSON; PDF link; print styles. */
import { useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, qs } from '../api.ts';
import type { DailyPatrol, MonthlySummary, ReportChange, ReportIncidentLine, TopLine } from '../types.ts';
import { Chart, COLORS, type ChartOption } from '../components/Chart.tsx';
import { Empty, ErrorBanner, Loading, Panel, SeverityBadge, StateBadge, Tabs } from '../components/common.tsx';
import { fmtNum, fmtTime, isoDate } from '../format.ts';

type Kind = 'daily' | 'monthly';

export function Reports(): ReactNode {
  const { t, i18n } = useTranslation();
  const [kind, setKind] = useState<Kind>('daily');
  const [date, setDate] = useState(() => isoDate(new Date(Date.now() - 24 * 3600_000)));
  const [month, setMonth] = useState(() => {
    const d = new Date();
    d.setDate(1);
    d.setMonth(d.getMonth() - 1);
    return isoDate(d).slice(0, 7);
  });
  const params = kind === 'daily' ? { date } : { month };
  const lang = i18n.language === 'zh' ? 'zh' : 'en';
  const pdf = `/api/reports/${kind}${qs({ ...params, format: 'pdf', lang })}`;
  return (
    <div className="page report-page">
      <div className="page-head no-print">
        <h1>{t('reports.title')}</h1>
      </div>
      <div className="no-print">
        <Tabs<Kind>
          active={kind}
          onChange={setKind}
          tabs={[
            { key: 'daily', label: t('reports.daily') },
            { key: 'monthly', label: t('reports.monthly') },
          ]}
        />
        <div className="filters">
          {kind === 'daily' ? (
            <label>
              {t('reports.date')}
              <input type="date" data-testid="report-date" value={date} onChange={(e) => setDate(e.target.value)} />
            </label>
          ) : (
            <label>
              {t('reports.month')}
              <input type="month" data-testid="report-month" value={month} onChange={(e) => setMonth(e.target.value)} />
            </label>
          )}
          <a className="button" data-testid="report-pdf" href={pdf} target="_blank" rel="noreferrer">
            {t('common.downloadPdf')}
          </a>
          <button type="button" onClick={() => window.print()}>
            {t('common.print')}
          </button>
        </div>
      </div>
      {kind === 'daily' ? <Daily date={date} /> : <Monthly month={month} />}
    </div>
  );
}

function Figure({ label, value, previous, tone, testId }: { label: string; value: number; previous?: number; tone?: string; testId?: string }): ReactNode {
  const delta = previous === undefined ? null : value - previous;
  return (
    <div className={`card ${tone ?? ''}`} data-testid={testId}>
      <div className="card-label">{label}</div>
      <div className="card-value">{fmtNum(value)}</div>
      {delta !== null && (
        <div className={`card-delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`}>
          {delta > 0 ? '▲' : delta < 0 ? '▼' : '='} {fmtNum(Math.abs(delta))}
        </div>
      )}
    </div>
  );
}

function IncidentLines({ items }: { items: ReportIncidentLine[] }): ReactNode {
  const { t } = useTranslation();
  if (items.length === 0) return <Empty />;
  return (
    <table className="table compact">
      <thead>
        <tr>
          <th>{t('incidents.id')}</th>
          <th>{t('incidents.severity')}</th>
          <th>{t('common.name')}</th>
          <th>{t('common.unit')}</th>
          <th>{t('common.host')}</th>
          <th>{t('incidents.state')}</th>
          <th>{t('incidents.firstSeen')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={i.id}>
            <td>
              <Link to={`/incidents/${i.id}`}>#{i.id}</Link>
            </td>
            <td>
              <SeverityBadge severity={i.severity} />
            </td>
            <td>{i.title}</td>
            <td className="small">{i.unitName ?? i.unit ?? '–'}</td>
            <td className="mono small">{i.host}</td>
            <td>
              <StateBadge state={i.state} />
            </td>
            <td className="small nowrap">{fmtTime(i.firstSeen)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TopTable({ items }: { items: TopLine[] }): ReactNode {
  if (items.length === 0) return <Empty />;
  return (
    <table className="table compact">
      <tbody>
        {items.map((r) => (
          <tr key={r.key}>
            <td className="mono small">{r.key}</td>
            <td className="num">{fmtNum(r.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Changes({ items }: { items: ReportChange[] }): ReactNode {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <Panel title={t('reports.changes')}>
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('reports.metric')}</th>
            <th className="num">{t('reports.current')}</th>
            <th className="num">{t('reports.previous')}</th>
            <th className="num">{t('reports.delta')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.metric}>
              <td>{t(`reports.metrics.${c.metric}`, { defaultValue: c.metric })}</td>
              <td className="num">{fmtNum(c.current)}</td>
              <td className="num">{fmtNum(c.previous)}</td>
              <td className={`num delta-${c.direction}`}>
                {c.direction === 'up' ? '▲' : c.direction === 'down' ? '▼' : '='} {fmtNum(Math.abs(c.delta))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

function Daily({ date }: { date: string }): ReactNode {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['report', 'daily', date], queryFn: () => api.get<DailyPatrol>(`/api/reports/daily${qs({ date })}`), enabled: date !== '' });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const r = q.data;
  return (
    <div className="report" data-testid="report-daily">
      <h2 className="report-title">
        {t('reports.daily')} · {r.date}
      </h2>
      <div className="muted small">
        {t('reports.generated')} {fmtTime(r.generatedAt)} · {r.timeZone}
      </div>
      <div className="cards">
        <Figure label={t('overview.queries')} value={r.dns.today.queries} previous={r.dns.yesterday.queries} />
        <Figure label={t('overview.blocked')} value={r.dns.today.blocked} previous={r.dns.yesterday.blocked} tone="tone-blocked" />
        <Figure label={t('reports.openedToday')} value={r.incidents.openedToday.length} previous={r.incidents.openedYesterday} tone={r.incidents.openedToday.length ? 'tone-warn' : ''} />
        <Figure label={t('overview.incidentsOpen')} value={r.incidents.open.length} tone={r.incidents.open.length ? 'tone-warn' : ''} />
        <Figure label={t('overview.infectedHosts')} value={r.infected.today.hosts.length} previous={r.infected.yesterday.hosts} tone={r.infected.today.hosts.length ? 'tone-bad' : ''} />
        <Figure label={t('overview.affectedUnits')} value={r.infected.today.units.length} previous={r.infected.yesterday.units} tone={r.infected.today.units.length ? 'tone-bad' : ''} />
      </div>
      <Changes items={r.changes} />
      <Panel title={t('reports.openedToday')}>
        <IncidentLines items={r.incidents.openedToday} />
      </Panel>
      <Panel title={t('reports.openNow')}>
        <IncidentLines items={r.incidents.open} />
      </Panel>
      <Panel title={t('reports.closedToday')}>
        <IncidentLines items={r.incidents.closedToday} />
      </Panel>
      <div className="grid-2">
        <Panel title={t('overview.topBlocked')}>
          <TopTable items={r.topBlocked} />
        </Panel>
        <Panel title={t('reports.topCategories')}>
          <TopTable items={r.topCategories} />
        </Panel>
      </div>
      <Panel title={t('reports.unitsWithIncidents')}>
        {r.units.length === 0 ? (
          <Empty />
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('common.unit')}</th>
                <th className="num">{t('units.openIncidents')}</th>
                <th>{t('incidents.severity')}</th>
                <th className="num">{t('units.hosts')}</th>
              </tr>
            </thead>
            <tbody>
              {r.units.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to={`/units/${encodeURIComponent(u.id)}`}>{u.name}</Link>
                  </td>
                  <td className="num">{fmtNum(u.open)}</td>
                  <td>
                    <SeverityBadge severity={u.maxSeverity} />
                  </td>
                  <td className="num">{fmtNum(u.hosts)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={t('reports.health')}>
        {r.healthNote && <div className="muted small">{r.healthNote}</div>}
        {r.health.length === 0 ? (
          <Empty />
        ) : (
          <table className="table compact">
            <tbody>
              {r.health.map((h, i) => (
                <tr key={i} className={h.status === 'failing' ? 'row-error' : ''}>
                  <td className="small">{h.kind}</td>
                  <td>{h.name}</td>
                  <td className="num">{fmtNum(h.events)}</td>
                  <td className="num">{fmtNum(h.errors)}</td>
                  <td className="small nowrap">{fmtTime(h.lastEvent)}</td>
                  <td>
                    <span className={`tag health-${h.status}`}>{h.status}</span>
                  </td>
                  <td className="small">{h.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}

function Monthly({ month }: { month: string }): ReactNode {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['report', 'monthly', month], queryFn: () => api.get<MonthlySummary>(`/api/reports/monthly${qs({ month })}`), enabled: month !== '' });
  const chart = useMemo<ChartOption | null>(() => {
    if (!q.data) return null;
    const s = q.data.series;
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 56, top: 32, bottom: 28 },
      xAxis: { type: 'category', data: s.days.map((d) => d.slice(5)) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: t('overview.queries'), type: 'bar', data: s.queries, color: COLORS.queries, barGap: '0%' },
        { name: t('overview.blocked'), type: 'bar', data: s.blocked, color: COLORS.blocked },
        { name: t('reports.incidentsOpened'), type: 'line', yAxisIndex: 1, data: s.incidents, color: COLORS.opened },
      ],
    };
  }, [q.data, t]);
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const r = q.data;
  const f = r.figures;
  const p = r.previous;
  const unitTable = (items: typeof r.units): ReactNode =>
    items.length === 0 ? (
      <Empty />
    ) : (
      <table className="table compact">
        <thead>
          <tr>
            <th>{t('common.unit')}</th>
            <th className="num">{t('reports.miningCases')}</th>
            <th className="num">{t('reports.threatEvents')}</th>
            <th className="num">{t('overview.infectedHosts')}</th>
            <th className="num">{t('overview.queries')}</th>
            <th className="num">{t('overview.blocked')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((u) => (
            <tr key={u.id}>
              <td>
                <Link to={`/units/${encodeURIComponent(u.id)}`}>{u.name}</Link>
              </td>
              <td className="num">{fmtNum(u.cases)}</td>
              <td className="num">{fmtNum(u.threatEvents)}</td>
              <td className="num">{fmtNum(u.infectedHosts)}</td>
              <td className="num">{fmtNum(u.queries)}</td>
              <td className="num">{fmtNum(u.blocked)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  return (
    <div className="report" data-testid="report-monthly">
      <h2 className="report-title">
        {t('reports.monthly')} · {r.month}
      </h2>
      <div className="muted small">
        {t('reports.generated')} {fmtTime(r.generatedAt)} · {r.timeZone}
      </div>
      <div className="cards">
        <Figure label={t('reports.miningCases')} value={f.miningCases} previous={p.miningCases} tone={f.miningCases ? 'tone-bad' : ''} />
        <Figure label={t('reports.miningResolved')} value={f.miningResolved} previous={p.miningResolved} />
        <Figure label={t('reports.poolBlocks')} value={f.poolBlocks} previous={p.poolBlocks} tone="tone-blocked" />
        <Figure label={t('reports.threatEvents')} value={f.threatEvents} previous={p.threatEvents} tone={f.threatEvents ? 'tone-warn' : ''} />
        <Figure label={t('reports.campaigns')} value={f.campaigns} previous={p.campaigns} />
        <Figure label={t('overview.queries')} value={f.queries} previous={p.queries} />
        <Figure label={t('overview.blocked')} value={f.blocked} previous={p.blocked} />
      </div>
      <Panel title={t('reports.perDay')}>{chart && <Chart option={chart} height={260} />}</Panel>
      <Changes items={r.changes} />
      <Panel title={t('reports.units')}>{unitTable(r.units)}</Panel>
      <Panel title={t('reports.topInfectedUnits')}>{unitTable(r.topInfectedUnits)}</Panel>
      <div className="grid-2">
        <Panel title={t('overview.topBlocked')}>
          <TopTable items={r.topBlocked} />
        </Panel>
        <Panel title={t('reports.detectors')}>
          <TopTable items={r.detectors} />
        </Panel>
      </div>
    </div>
  );
}
