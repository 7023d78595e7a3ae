/** Settings: sensors and system status, the audit log. */
import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../api.ts';
import type { AuditEntry, SensorHealth } from '../../types.ts';
import { Empty, ErrorBanner, Loading, Panel } from '../../components/common.tsx';
import { fmtNum, fmtTime } from '../../format.ts';

export function Sensors(): ReactNode {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: ['sensors'], queryFn: () => api.get<SensorHealth[]>('/api/sensors'), refetchInterval: 15_000 });
  const sys = useQuery({ queryKey: ['system'], queryFn: () => api.get<Record<string, unknown>>('/api/system') });
  return (
    <>
      <Panel title={t('settings.sensors')}>
        <ErrorBanner error={list.error} />
        {list.isPending ? (
          <Loading />
        ) : (list.data ?? []).length === 0 ? (
          <Empty />
        ) : (
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('intel.type')}</th>
                <th>{t('common.status')}</th>
                <th className="num">{t('settings.events')}</th>
                <th className="num">{t('settings.errors')}</th>
                <th>{t('hosts.lastSeen')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((s, i) => (
                <tr key={`${s.kind}:${s.name}:${i}`} data-testid="sensor-row" className={s.status === 'failing' ? 'row-error' : ''}>
                  <td className="mono small">{s.name}</td>
                  <td className="small">{s.kind}</td>
                  <td>
                    <span className={`tag health-${s.status}`}>{s.status}</span>
                  </td>
                  <td className="num">{fmtNum(s.events)}</td>
                  <td className="num">{fmtNum(s.errors)}</td>
                  <td className="small nowrap">{fmtTime(s.lastEvent)}</td>
                  <td className="small">{s.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={t('settings.system')}>
        <ErrorBanner error={sys.error} />
        {sys.data && (
          <dl className="facts wide">
            {Object.entries(sys.data).map(([k, v]) => (
              <div key={k} className="contents">
                <dt>{k}</dt>
                <dd className="mono small">{typeof v === 'number' && /At$/.test(k) ? fmtTime(v) : typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        )}
      </Panel>
    </>
  );
}

export function Audit(): ReactNode {
  const { t } = useTranslation();
  const [form, setForm] = useState({ actor: '', action: '', target: '' });
  const [applied, setApplied] = useState(form);
  const [before, setBefore] = useState<number | null>(null);
  const list = useQuery({ queryKey: ['audit', applied, before], queryFn: () => api.get<{ items: AuditEntry[] }>(`/api/audit${qs({ ...applied, before, limit: 100 })}`) });
  const items = list.data?.items ?? [];
  const show = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return (
    <Panel title={t('settings.audit')}>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(form);
          setBefore(null);
        }}
      >
        {(['actor', 'action', 'target'] as const).map((k) => (
          <label key={k}>
            {t(`settings.${k}`)}
            <input value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
          </label>
        ))}
        <button type="submit">{t('common.search')}</button>
      </form>
      <ErrorBanner error={list.error} />
      {list.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('common.time')}</th>
              <th>{t('settings.actor')}</th>
              <th>{t('settings.action')}</th>
              <th>{t('settings.target')}</th>
              <th>{t('settings.before')}</th>
              <th>{t('settings.after')}</th>
              <th>{t('settings.ip')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id} data-testid="audit-row">
                <td className="small nowrap">{fmtTime(a.at)}</td>
                <td className="small">{a.actor}</td>
                <td className="mono small">{a.action}</td>
                <td className="mono small">{a.target}</td>
                <td className="mono small json">{show(a.before)}</td>
                <td className="mono small json">{show(a.after)}</td>
                <td className="mono small">{a.ip ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={before === null} onClick={() => setBefore(null)}>
          {t('common.newest')}
        </button>
        <button type="button" disabled={items.length < 100} onClick={() => setBefore(items[items.length - 1]?.id ?? null)}>
          {t('settings.older')}
        </button>
      </div>
    </Panel>
  );
}
