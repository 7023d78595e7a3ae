/** The one screen: headline figures, traffic, incidents by severity, infection trend, unit tree, live feed. */
import { useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, qs } from '../api.ts';
import type { Overview as OverviewData, UnitNode } from '../types.ts';
import { Chart, COLORS, timeSeriesOption, type ChartOption } from '../components/Chart.tsx';
import { Empty, ErrorBanner, Loading, Panel, SeverityBadge } from '../components/common.tsx';
import { UnitTree } from '../components/UnitTree.tsx';
import { useLive } from '../components/live.tsx';
import { SEVERITY_ORDER, fmtNum, fmtTime } from '../format.ts';

const RANGES = { '24h': 24 * 3600_000, '7d': 7 * 24 * 3600_000, '30d': 30 * 24 * 3600_000 } as const;
type Range = keyof typeof RANGES;

export function useUnits(): ReturnType<typeof useQuery<UnitNode[]>> {
  return useQuery({ queryKey: ['units'], queryFn: () => api.get<UnitNode[]>('/api/units'), refetchInterval: 60_000 });
}

function Card({ name, label, value, tone }: { name: string; label: string; value: number | undefined; tone?: string }): ReactNode {
  return (
    <div className={`card ${tone ?? ''}`} data-testid={`overview-card-${name}`}>
      <div className="card-label">{label}</div>
      <div className="card-value">{value === undefined ? '–' : fmtNum(value)}</div>
    </div>
  );
}

export function Overview(): ReactNode {
  const { t } = useTranslation();
  const [range, setRange] = useState<Range>('24h');
  // The window is fixed when the range is picked, so the query key is stable between renders.
  const [now, setNow] = useState(() => Date.now());
  const from = now - RANGES[range];
  const q = useQuery({
    queryKey: ['overview', range, now],
    queryFn: () => api.get<OverviewData>(`/api/overview${qs({ from, to: now })}`),
    refetchInterval: 30_000,
  });
  const units = useUnits();
  const d = q.data;

  const traffic = useMemo<ChartOption | null>(
    () =>
      d
        ? timeSeriesOption(d.series.t, [
            { name: t('overview.queries'), data: d.series.queries, color: COLORS.queries, area: true },
            { name: t('overview.blocked'), data: d.series.blocked, color: COLORS.blocked, area: true },
          ], true)
        : null,
    [d, t],
  );
  const severity = useMemo<ChartOption | null>(() => {
    if (!d) return null;
    const sev = [...SEVERITY_ORDER].reverse();
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 72, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: sev.map((s) => t(`severity.${s}`)), inverse: true },
      series: [{ type: 'bar', barWidth: '60%', data: sev.map((s) => ({ value: d.incidentsBySeverity[s] ?? 0, itemStyle: { color: COLORS[s] } })), label: { show: true, position: 'right' } }],
    };
  }, [d, t]);
  const infection = useMemo<ChartOption | null>(
    () =>
      d
        ? timeSeriesOption(d.incidentSeries.t, [
            { name: t('overview.infectedHosts'), data: d.incidentSeries.infectedHosts, color: COLORS.infected },
            { name: t('overview.affectedUnits'), data: d.incidentSeries.affectedUnits, color: COLORS.units },
            { name: t('overview.opened'), data: d.incidentSeries.opened, color: COLORS.opened },
          ])
        : null,
    [d, t],
  );

  return (
    <div className="page overview">
      <div className="page-head">
        <h1>{t('nav.overview')}</h1>
        <div className="segmented" role="group">
          {(Object.keys(RANGES) as Range[]).map((r) => (
            <button
              key={r}
              type="button"
              data-testid={`overview-range-${r}`}
              className={r === range ? 'active' : ''}
              onClick={() => {
                setRange(r);
                setNow(Date.now());
              }}
            >
              {t(`overview.range${r}`)}
            </button>
          ))}
        </div>
      </div>
      <ErrorBanner error={q.error} />
      <div className="cards">
        <Card name="queries" label={t('overview.queries')} value={d?.totals.queries} />
        <Card name="blocked" label={t('overview.blocked')} value={d?.totals.blocked} tone="tone-blocked" />
        <Card name="incidents" label={t('overview.incidentsOpen')} value={d?.totals.incidentsOpen} tone={d?.totals.incidentsOpen ? 'tone-warn' : ''} />
        <Card name="infected-hosts" label={t('overview.infectedHosts')} value={d?.totals.infectedHosts} tone={d?.totals.infectedHosts ? 'tone-bad' : ''} />
        <Card name="affected-units" label={t('overview.affectedUnits')} value={d?.totals.affectedUnits} tone={d?.totals.affectedUnits ? 'tone-bad' : ''} />
      </div>
      <div className="grid-main">
        <div className="col">
          <Panel title={t('overview.traffic')}>{traffic ? <Chart option={traffic} height={260} testId="chart-traffic" /> : <Loading />}</Panel>
          <div className="grid-2">
            <Panel title={t('overview.bySeverity')}>{severity ? <Chart option={severity} height={200} testId="chart-severity" /> : <Loading />}</Panel>
            <Panel title={t('overview.infection')}>{infection ? <Chart option={infection} height={200} testId="chart-infection" /> : <Loading />}</Panel>
          </div>
          <Panel title={t('overview.topBlocked')}>
            {d && d.topBlocked.length === 0 && <Empty />}
            {d && d.topBlocked.length > 0 && (
              <table className="table compact">
                <tbody>
                  {d.topBlocked.slice(0, 10).map((r) => (
                    <tr key={r.key}>
                      <td className="mono">
                        <Link to={`/queries?name=${encodeURIComponent(r.key)}&outcome=blocked`}>{r.key}</Link>
                      </td>
                      <td className="num">{fmtNum(r.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Panel>
        </div>
        <div className="col">
          <Panel title={t('overview.unitTree')} className="tree-panel">
            {units.isPending ? <Loading /> : units.data && units.data.length > 0 ? <UnitTree units={units.data} /> : <Empty />}
            <ErrorBanner error={units.error} />
          </Panel>
          <LiveFeed />
        </div>
      </div>
    </div>
  );
}

function LiveFeed(): ReactNode {
  const { t } = useTranslation();
  const { items } = useLive();
  return (
    <Panel title={t('overview.liveFeed')} className="live-panel">
      <ul className="live-feed" data-testid="live-feed">
        {items.length === 0 && <li className="muted">{t('overview.liveEmpty')}</li>}
        {items.map((it) =>
          it.type === 'block' ? (
            <li key={it.id} className="live-item block" data-testid="live-item" data-type="block">
              <span className="time">{fmtTime(it.data.ts).slice(11)}</span>
              <span className="tag tag-blocked">{t('overview.blocked')}</span>
              <div className="live-text">
                <div className="mono ellipsis" title={it.data.name}>
                  {it.data.name}
                </div>
                <div className="muted small ellipsis">
                  {it.data.client}
                  {it.data.unit ? ` · ${it.data.unit}` : ''}
                  {it.data.category ? ` · ${it.data.category}` : ''}
                </div>
              </div>
            </li>
          ) : (
            <li key={it.id} className="live-item incident" data-testid="live-item" data-type="incident">
              <span className="time">{fmtTime(it.data.updatedAt || it.data.lastSeen).slice(11)}</span>
              <SeverityBadge severity={it.data.severity} />
              <Link className="ellipsis" to={`/incidents/${it.data.id}`}>
                {t('overview.liveIncident', { id: it.data.id, title: it.data.title })}
              </Link>
            </li>
          ),
        )}
      </ul>
    </Panel>
  );
}
