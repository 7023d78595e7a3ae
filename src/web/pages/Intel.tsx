/** Threat intelligence: feeds, indicator search, review list, allowlist, lookup. */
import { useState, type ReactNode } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../api.ts';
import type { AllowEntry, FeedStatus, FeedView, IntelStats, LookupAnswer, StoredIndicator } from '../types.ts';
import { Empty, ErrorBanner, Loading, Panel, Tabs } from '../components/common.tsx';
import { useSession } from '../components/session.tsx';
import { fmtNum, fmtTime } from '../format.ts';

type Tab = 'feeds' | 'indicators' | 'review' | 'allowlist' | 'lookup';

export function Intel(): ReactNode {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('feeds');
  const stats = useQuery({ queryKey: ['intel', 'stats'], queryFn: () => api.get<IntelStats>('/api/intel/stats') });
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('intel.title')}</h1>
      </div>
      {stats.data && (
        <div className="cards small-cards">
          <div className="card">
            <div className="card-label">{t('intel.statsTotal')}</div>
            <div className="card-value">{fmtNum(stats.data.total)}</div>
          </div>
          <div className="card">
            <div className="card-label">{t('intel.statsActive')}</div>
            <div className="card-value">{fmtNum(stats.data.byStatus.active ?? 0)}</div>
          </div>
          <div className="card tone-warn">
            <div className="card-label">{t('intel.statsHeld')}</div>
            <div className="card-value">{fmtNum(stats.data.byStatus.held ?? 0)}</div>
          </div>
          <div className="card">
            <div className="card-label">{t('intel.sources')}</div>
            <div className="card-value">{fmtNum(Object.keys(stats.data.bySource).length)}</div>
          </div>
        </div>
      )}
      <Tabs<Tab>
        active={tab}
        onChange={setTab}
        tabs={[
          { key: 'feeds', label: t('intel.feeds') },
          { key: 'indicators', label: t('intel.indicators') },
          { key: 'review', label: t('intel.review') },
          { key: 'allowlist', label: t('intel.allowlist') },
          { key: 'lookup', label: t('intel.lookup') },
        ]}
      />
      {tab === 'feeds' && <Feeds />}
      {tab === 'indicators' && <Indicators />}
      {tab === 'review' && <Review />}
      {tab === 'allowlist' && <Allowlist />}
      {tab === 'lookup' && <Lookup />}
    </div>
  );
}

function Feeds(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const feeds = useQuery({ queryKey: ['intel', 'feeds'], queryFn: () => api.get<FeedView[]>('/api/intel/feeds') });
  const refresh = useMutation({
    mutationFn: (name: string) => api.post<FeedStatus>(`/api/intel/feeds/${encodeURIComponent(name)}/refresh`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['intel'] }),
  });
  if (feeds.isPending) return <Loading />;
  return (
    <Panel>
      <ErrorBanner error={feeds.error ?? refresh.error} />
      {feeds.data && feeds.data.length === 0 && <Empty />}
      {feeds.data && feeds.data.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>{t('common.name')}</th>
              <th>{t('intel.format')}</th>
              <th className="num">{t('intel.indicators')}</th>
              <th className="num">{t('intel.entries')}</th>
              <th className="num">{t('intel.rejected')}</th>
              <th className="num">{t('intel.held')}</th>
              <th>{t('intel.lastSuccess')}</th>
              <th>{t('intel.lastError')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {feeds.data.map((f) => (
              <tr key={f.name} data-testid="feed-row" className={f.status?.lastError ? 'row-error' : ''}>
                <td>
                  <div className="strong">{f.name}</div>
                  <div className="muted small mono ellipsis" title={f.url}>
                    {f.url || t('intel.storedSource')}
                  </div>
                </td>
                <td className="small">{f.format || f.status?.format}</td>
                <td className="num">{fmtNum(f.indicators)}</td>
                <td className="num">{f.status ? fmtNum(f.status.entries) : '–'}</td>
                <td className="num">{f.status ? fmtNum(f.status.rejectedLines) : '–'}</td>
                <td className="num">{f.status ? fmtNum(f.status.heldForReview) : '–'}</td>
                <td className="small nowrap">{f.status && f.status.lastSuccess > 0 ? fmtTime(f.status.lastSuccess) : '–'}</td>
                <td className="small error-text">{f.status?.lastError}</td>
                <td>
                  {can('intel:write') && f.refreshSeconds > 0 && (
                    <button type="button" data-testid={`feed-refresh-${f.name}`} disabled={refresh.isPending} onClick={() => refresh.mutate(f.name)}>
                      {t('common.refresh')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function IndicatorTable({ items, action }: { items: StoredIndicator[]; action?: (i: StoredIndicator) => ReactNode }): ReactNode {
  const { t } = useTranslation();
  if (items.length === 0) return <Empty />;
  return (
    <table className="table compact">
      <thead>
        <tr>
          <th>{t('intel.type')}</th>
          <th>{t('intel.value')}</th>
          <th>{t('intel.category')}</th>
          <th>{t('intel.family')}</th>
          <th>{t('intel.source')}</th>
          <th className="num">{t('intel.confidence')}</th>
          <th>{t('common.status')}</th>
          {action && <th />}
        </tr>
      </thead>
      <tbody>
        {items.map((i) => (
          <tr key={`${i.source}/${i.type}/${i.value}`} data-testid="indicator-row">
            <td className="small">{i.type}</td>
            <td className="mono small break">{i.value}</td>
            <td className="small">{i.category}</td>
            <td className="small">{i.family}</td>
            <td className="small">{i.source}</td>
            <td className="num small">{i.confidence}</td>
            <td className="small">
              {i.status}
              {i.holdReason ? <div className="muted">{i.holdReason}</div> : null}
            </td>
            {action && <td>{action(i)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Indicators(): ReactNode {
  const { t } = useTranslation();
  const [form, setForm] = useState({ q: '', type: '', status: '', source: '' });
  const [applied, setApplied] = useState(form);
  const [offset, setOffset] = useState(0);
  const LIMIT = 100;
  const list = useQuery({
    queryKey: ['intel', 'indicators', applied, offset],
    queryFn: () => api.get<{ items: StoredIndicator[] }>(`/api/intel/indicators${qs({ ...applied, limit: LIMIT, offset })}`),
    placeholderData: keepPreviousData,
  });
  return (
    <Panel>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(form);
          setOffset(0);
        }}
      >
        <label className="grow">
          {t('intel.value')}
          <input data-testid="indicator-search" value={form.q} onChange={(e) => setForm({ ...form, q: e.target.value })} />
        </label>
        <label>
          {t('intel.type')}
          <select value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
            <option value="">{t('common.any')}</option>
            {['domain', 'ip', 'cidr', 'url', 'ip:port', 'md5', 'sha1', 'sha256'].map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          {t('common.status')}
          <select value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
            <option value="">{t('common.any')}</option>
            {['active', 'held', 'released'].map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </label>
        <label>
          {t('intel.source')}
          <input value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })} />
        </label>
        <button type="submit" data-testid="indicator-search-submit">
          {t('common.search')}
        </button>
      </form>
      <ErrorBanner error={list.error} />
      {list.isPending ? <Loading /> : <IndicatorTable items={list.data?.items ?? []} />}
      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))}>
          {t('common.previous')}
        </button>
        <button type="button" disabled={(list.data?.items.length ?? 0) < LIMIT} onClick={() => setOffset(offset + LIMIT)}>
          {t('common.next')}
        </button>
      </div>
    </Panel>
  );
}

function Review(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['intel', 'review'], queryFn: () => api.get<{ items: StoredIndicator[] }>('/api/intel/review') });
  const release = useMutation({
    mutationFn: (i: StoredIndicator) => api.post('/api/intel/review/release', { type: i.type, value: i.value }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['intel'] }),
  });
  return (
    <Panel>
      <ErrorBanner error={list.error ?? release.error} />
      {list.isPending ? (
        <Loading />
      ) : (
        <IndicatorTable
          items={list.data?.items ?? []}
          action={
            can('intel:write')
              ? (i) => (
                  <button type="button" data-testid="review-release" disabled={release.isPending} onClick={() => release.mutate(i)}>
                    {t('intel.release')}
                  </button>
                )
              : undefined
          }
        />
      )}
    </Panel>
  );
}

function Allowlist(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const [value, setValue] = useState('');
  const [comment, setComment] = useState('');
  const list = useQuery({ queryKey: ['intel', 'allow'], queryFn: () => api.get<AllowEntry[]>('/api/intel/allow') });
  const add = useMutation({
    mutationFn: () => api.post('/api/intel/allow', { value: value.trim(), ...(comment.trim() ? { comment: comment.trim() } : {}) }),
    onSuccess: () => {
      setValue('');
      setComment('');
      void qc.invalidateQueries({ queryKey: ['intel'] });
    },
  });
  const remove = useMutation({
    mutationFn: (a: AllowEntry) => api.del('/api/intel/allow', { type: a.type, value: a.value }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['intel'] }),
  });
  return (
    <Panel>
      {can('intel:write') && (
        <form
          className="filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim()) add.mutate();
          }}
        >
          <label className="grow">
            {t('intel.value')}
            <input data-testid="allow-value" value={value} onChange={(e) => setValue(e.target.value)} />
          </label>
          <label className="grow">
            {t('common.comment')}
            <input data-testid="allow-comment" value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <button type="submit" className="primary" data-testid="allow-add" disabled={add.isPending}>
            {t('common.add')}
          </button>
        </form>
      )}
      <ErrorBanner error={list.error ?? add.error ?? remove.error} />
      {list.isPending ? (
        <Loading />
      ) : (list.data ?? []).length === 0 ? (
        <Empty />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('intel.type')}</th>
              <th>{t('intel.value')}</th>
              <th>{t('common.comment')}</th>
              <th>{t('intel.added')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((a) => (
              <tr key={`${a.type}/${a.value}`} data-testid="allow-row">
                <td className="small">{a.type}</td>
                <td className="mono small">{a.value}</td>
                <td className="small">{a.comment}</td>
                <td className="small nowrap">{fmtTime(a.addedAt)}</td>
                <td>
                  {can('intel:write') && (
                    <button type="button" className="link danger-text" data-testid="allow-remove" onClick={() => remove.mutate(a)}>
                      {t('common.remove')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function Lookup(): ReactNode {
  const { t } = useTranslation();
  const [value, setValue] = useState('');
  const [asked, setAsked] = useState('');
  const q = useQuery({ queryKey: ['intel', 'lookup', asked], queryFn: () => api.get<LookupAnswer>(`/api/intel/lookup${qs({ value: asked })}`), enabled: asked !== '' });
  return (
    <Panel>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(value.trim());
        }}
      >
        <label className="grow">
          {t('intel.value')}
          <input data-testid="intel-lookup" placeholder={t('intel.lookupPlaceholder')} value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        <button type="submit" className="primary" data-testid="intel-lookup-submit">
          {t('intel.lookup')}
        </button>
      </form>
      <ErrorBanner error={q.error} />
      {q.isFetching && <Loading />}
      {q.data && <LookupResult r={q.data} />}
    </Panel>
  );
}

function LookupResult({ r }: { r: LookupAnswer }): ReactNode {
  const { t } = useTranslation();
  const records = r.records ?? r.matches ?? [];
  const allowed = r.allowed ?? r.verdict === 'allowlisted';
  const tone = r.verdict === 'match' ? 'tag-bad' : r.verdict === 'held' || r.verdict === 'expired' || r.verdict === 'decayed' ? 'tag-warn' : allowed ? 'tag-ok' : '';
  return (
    <div data-testid="intel-lookup-result" data-verdict={r.verdict ?? (records.length ? 'match' : 'unknown')}>
      <p>
        <span className="mono strong">{r.value || r.query}</span> {r.type && <span className="tag">{r.type}</span>} {r.verdict && <span className={`tag ${tone}`}>{r.verdict}</span>}{' '}
        <span className={`tag ${allowed ? 'tag-ok' : ''}`}>{allowed ? t('intel.allowed') : t('intel.notAllowed')}</span>
      </p>
      {r.reason && <p className="muted">{r.reason}</p>}
      {records.length === 0 ? (
        <Empty text={t('intel.noMatch')} />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('intel.value')}</th>
              <th>{t('intel.category')}</th>
              <th>{t('intel.family')}</th>
              <th>{t('intel.source')}</th>
              <th>{t('common.status')}</th>
              <th className="num">{t('intel.confidence')}</th>
            </tr>
          </thead>
          <tbody>
            {records.map((m, i) => (
              <tr key={i}>
                <td className="mono small">{String(m.value ?? '')}</td>
                <td className="small">{String(m.category ?? '')}</td>
                <td className="small">{String(m.family ?? '')}</td>
                <td className="small">{String(m.source ?? '')}</td>
                <td className="small">{String(m.status ?? '')}</td>
                <td className="num small">{String(m.confidence ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
