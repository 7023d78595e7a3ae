/** Small shared pieces: loading and empty states, the error banner, badges, pager, tabs. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import type { IncidentState, Severity, UnitStatus } from '../types.ts';
import { fmtNum } from '../format.ts';

export function Loading(): ReactNode {
  const { t } = useTranslation();
  return <div className="state-msg loading">{t('common.loading')}</div>;
}

export function Empty({ text }: { text?: string }): ReactNode {
  const { t } = useTranslation();
  return <div className="state-msg empty">{text ?? t('common.empty')}</div>;
}

/** The message of an error, translated when its code is known. */
export function useErrorText(): (e: unknown) => string {
  const { t, i18n } = useTranslation();
  return (e: unknown): string => {
    if (e instanceof ApiError) {
      const key = `errors.${e.code}`;
      const known = i18n.exists(key);
      if (known && (e.code === 'MW_ERR_BAD_INPUT' || e.code === 'MW_ERR_CONFLICT') && e.message) {
        // The server says what is wrong, in English: as it is in English, after the translated summary otherwise.
        const said = e.message.charAt(0).toUpperCase() + e.message.slice(1);
        return i18n.language.startsWith('en') ? said : `${t(key)} ${said}`;
      }
      return known ? t(key) : e.message || t('errors.generic');
    }
    return e instanceof Error ? e.message : t('errors.generic');
  };
}

export function ErrorBanner({ error, onDismiss, testId }: { error: unknown; onDismiss?: () => void; testId?: string }): ReactNode {
  const text = useErrorText();
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid={testId}>
      <span>{text(error)}</span>
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>
          {t('common.dismiss')}
        </button>
      )}
    </div>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | null | undefined }): ReactNode {
  const { t } = useTranslation();
  if (!severity) return <span className="muted">–</span>;
  return <span className={`badge sev-${severity}`}>{t(`severity.${severity}`)}</span>;
}

export function StateBadge({ state }: { state: IncidentState }): ReactNode {
  const { t } = useTranslation();
  return <span className={`badge state-${state}`}>{t(`state.${state}`)}</span>;
}

export function StatusDot({ status }: { status: UnitStatus }): ReactNode {
  const { t } = useTranslation();
  return <span className={`dot status-${status}`} title={t(`unitStatus.${status}`)} />;
}

/** Offset paging; `total` null means unknown (the page is full when more may follow). */
export function Pager({ offset, limit, total, count, onChange }: { offset: number; limit: number; total: number | null; count?: number; onChange: (offset: number) => void }): ReactNode {
  const { t } = useTranslation();
  const shown = count ?? limit;
  const from = total === 0 || shown === 0 ? 0 : offset + 1;
  const to = total === null ? offset + shown : Math.min(offset + limit, total);
  const more = total === null ? shown >= limit : offset + limit < total;
  return (
    <div className="pager">
      <span className="muted">{total === null ? `${fmtNum(from)}–${fmtNum(to)}` : t('common.pageOf', { from: fmtNum(from), to: fmtNum(to), total: fmtNum(total) })}</span>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t('common.previous')}
      </button>
      <button type="button" disabled={!more} onClick={() => onChange(offset + limit)}>
        {t('common.next')}
      </button>
    </div>
  );
}

export function Tabs<K extends string>({ tabs, active, onChange }: { tabs: Array<{ key: K; label: string }>; active: K; onChange: (k: K) => void }): ReactNode {
  return (
    <div className="tabs" role="tablist">
      {tabs.map((tb) => (
        <button key={tb.key} type="button" role="tab" data-testid={`tab-${tb.key}`} aria-selected={tb.key === active} className={tb.key === active ? 'tab active' : 'tab'} onClick={() => onChange(tb.key)}>
          {tb.label}
        </button>
      ))}
    </div>
  );
}

export function Panel({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }): ReactNode {
  return (
    <section className={`panel ${className ?? ''}`}>
      {(title ?? actions) && (
        <header className="panel-head">
          <h2>{title}</h2>
          <div className="panel-actions">{actions}</div>
        </header>
      )}
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** Key/value pairs of an evidence record or any small object. */
export function KeyValues({ data }: { data: Record<string, unknown> }): ReactNode {
  const entries = Object.entries(data);
  if (entries.length === 0) return null;
  return (
    <dl className="kv">
      {entries.map(([k, v]) => (
        <div key={k} className="kv-row">
          <dt>{k}</dt>
          <dd>{typeof v === 'string' ? v : typeof v === 'number' ? fmtNum(v, 3) : JSON.stringify(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
