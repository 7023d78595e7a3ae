/** DNS query search, newest first, paged by cursor ("Older" follows `next`). */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, qs } from '../api.ts';
import type { DnsOutcome, QueryPage, StoredDns } from '../types.ts';
import { Empty, ErrorBanner, Loading } from '../components/common.tsx';
import { fmtNum, fmtTime, fromLocalInput, toLocalInput } from '../format.ts';
import { useUnits } from './Overview.tsx';

const OUTCOMES: DnsOutcome[] = ['resolved', 'cached', 'blocked', 'monitored', 'allowed', 'refused', 'ratelimited', 'servfail', 'stale', 'invalid', 'forwarded'];
const QTYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY' };
const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export function QueryTable({ items }: { items: StoredDns[] }): ReactNode {
  const { t } = useTranslation();
  if (items.length === 0) return <Empty />;
  return (
    <table className="table compact">
      <thead>
        <tr>
          <th>{t('common.time')}</th>
          <th>{t('common.host')}</th>
          <th>{t('common.unit')}</th>
          <th>{t('queries.name')}</th>
          <th>{t('queries.qtype')}</th>
          <th>{t('queries.outcome')}</th>
          <th>{t('queries.category')}</th>
          <th>{t('queries.reason')}</th>
          <th className="num">{t('queries.latency')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((q, i) => (
          <tr key={`${q.ts}-${i}`} data-testid="query-row" data-outcome={q.outcome} className={q.outcome === 'blocked' ? 'row-blocked' : q.outcome === 'monitored' ? 'row-monitored' : ''}>
            <td className="small nowrap">{fmtTime(q.ts)}</td>
            <td className="mono small">{q.client}</td>
            <td className="small">{q.unit ?? '–'}</td>
            <td className="mono small break">{q.name}</td>
            <td className="small">{QTYPES[q.qtype] ?? q.qtype}</td>
            <td>
              <span className={`tag outcome-${q.outcome}`}>{q.outcome}</span>
              {q.rcode !== 0 && <span className="muted small"> {RCODES[q.rcode] ?? q.rcode}</span>}
            </td>
            <td className="small">{q.category ?? ''}</td>
            <td className="small">{q.reason ?? ''}</td>
            <td className="num small">{fmtNum(q.latencyUs / 1000, 1)} ms</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Filters {
  from: string;
  to: string;
  unit: string;
  client: string;
  name: string;
  outcome: string;
  category: string;
}

export function Queries(): ReactNode {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const units = useUnits();
  // The last 24 h unless asked otherwise: a name searched over every day reads every day.
  const initial: Filters = { from: params.get('from') ?? toLocalInput(Date.now() - 86_400_000), to: '', unit: params.get('unit') ?? '', client: params.get('client') ?? params.get('host') ?? '', name: params.get('name') ?? '', outcome: params.get('outcome') ?? '', category: params.get('category') ?? '' };
  const [form, setForm] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(initial);
  // Cursors of the pages seen so far: the last one is the page shown.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;

  const list = useQuery({
    queryKey: ['queries', applied, cursor],
    queryFn: () =>
      api.get<QueryPage>(
        `/api/queries${qs({
          from: fromLocalInput(applied.from),
          to: fromLocalInput(applied.to),
          unit: applied.unit,
          // A bare number is a host id (as in /hosts/:id); anything else is the client address.
          host: /^\d+$/.test(applied.client) ? applied.client : undefined,
          client: /^\d+$/.test(applied.client) ? undefined : applied.client,
          name: applied.name,
          outcome: applied.outcome,
          category: applied.category,
          // 50: the store reads whole rows only for the chosen ones up to 50.
          limit: 50,
          cursor,
        })}`,
      ),
    placeholderData: keepPreviousData,
  });

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setApplied(form);
    setCursors([null]);
  };
  const field = (k: keyof Filters) => ({ value: form[k], onChange: (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value }) });

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('queries.title')}</h1>
      </div>
      <form className="filters" onSubmit={submit}>
        <label>
          {t('queries.from')}
          <input type="datetime-local" data-testid="query-search-from" {...field('from')} />
        </label>
        <label>
          {t('queries.to')}
          <input type="datetime-local" data-testid="query-search-to" {...field('to')} />
        </label>
        <label>
          {t('common.unit')}
          <select data-testid="query-search-unit" {...field('unit')}>
            <option value="">{t('common.all')}</option>
            {(units.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queries.client')}
          <input data-testid="query-search-client" {...field('client')} />
        </label>
        <label className="grow">
          {t('queries.name')}
          <input data-testid="query-search-name" placeholder="pool.example.com" {...field('name')} />
        </label>
        <label>
          {t('queries.outcome')}
          <select data-testid="query-search-outcome" {...field('outcome')}>
            <option value="">{t('common.any')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('queries.category')}
          <input data-testid="query-search-category" {...field('category')} />
        </label>
        <button type="submit" className="primary" data-testid="query-search-submit">
          {t('common.search')}
        </button>
      </form>
      <ErrorBanner error={list.error} />
      <div className="panel">
        {list.isPending ? <Loading /> : <QueryTable items={list.data?.items ?? []} />}
        <div className="pager">
          <button type="button" data-testid="query-newest" disabled={cursors.length <= 1} onClick={() => setCursors([null])}>
            {t('common.newest')}
          </button>
          <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
            {t('common.previous')}
          </button>
          <button type="button" data-testid="query-older" disabled={!list.data?.next || list.isPlaceholderData} onClick={() => list.data?.next && setCursors([...cursors, list.data.next])}>
            {t('common.older')}
          </button>
        </div>
      </div>
    </div>
  );
}
