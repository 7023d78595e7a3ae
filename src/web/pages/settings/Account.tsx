/** Settings: my account (password, 2FA) and my API tokens. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../api.ts';
import type { ApiToken } from '../../types.ts';
import { Empty, ErrorBanner, Loading, Panel } from '../../components/common.tsx';
import { useSession } from '../../components/session.tsx';
import { TotpEnroll } from '../../components/TotpEnroll.tsx';
import { fmtTime } from '../../format.ts';

export function Account(): ReactNode {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const [disablePw, setDisablePw] = useState('');
  const change = useMutation({
    mutationFn: () => api.post('/api/auth/password', { current, next }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setDone(true);
    },
  });
  const disable = useMutation({
    mutationFn: () => api.post('/api/auth/totp/disable', { password: disablePw }),
    onSuccess: () => {
      setDisablePw('');
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setDone(false);
    change.mutate();
  };
  return (
    <div className="grid-2">
      <Panel title={t('settings.changePassword')}>
        <form className="form" onSubmit={submit}>
          <div className="muted small">
            {me.user.username} · {me.user.role}
          </div>
          <label>
            {t('settings.currentPassword')}
            <input type="password" data-testid="password-current" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
          </label>
          <label>
            {t('settings.newPassword')}
            <input type="password" data-testid="password-next" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required />
          </label>
          <ErrorBanner error={change.error} />
          {done && <div className="banner banner-ok">{t('settings.passwordChanged')}</div>}
          <button type="submit" className="primary" data-testid="password-submit" disabled={change.isPending}>
            {t('settings.changePassword')}
          </button>
        </form>
      </Panel>
      <Panel title={t('settings.twoFactor')}>
        {me.user.totpEnabled ? (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              disable.mutate();
            }}
          >
            <div className="banner banner-ok">{t('totp.enabled')}</div>
            <label>
              {t('totp.passwordToDisable')}
              <input type="password" data-testid="totp-disable-password" value={disablePw} onChange={(e) => setDisablePw(e.target.value)} required />
            </label>
            <ErrorBanner error={disable.error} />
            <button type="submit" className="danger" data-testid="totp-disable" disabled={disable.isPending}>
              {t('totp.disable')}
            </button>
          </form>
        ) : (
          <>
            <div className="muted">{t('totp.disabledState')}</div>
            <TotpEnroll onEnabled={() => void qc.invalidateQueries({ queryKey: ['me'] })} />
          </>
        )}
      </Panel>
    </div>
  );
}

export function Tokens(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const [all, setAll] = useState(false);
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['tokens', all], queryFn: () => api.get<ApiToken[]>(`/api/tokens${qs({ all: all ? 1 : undefined })}`) });
  const create = useMutation({
    mutationFn: () => api.post<{ token: ApiToken; secret: string }>('/api/tokens', { name: name.trim(), ...(days ? { expiresInDays: Number(days) } : {}) }),
    onSuccess: (r) => {
      setSecret(r.secret);
      setName('');
      setDays('');
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.del(`/api/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  return (
    <Panel title={t('settings.tokens')} actions={can('users:manage') ? <label className="check"><input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> {t('common.all')}</label> : null}>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <label className="grow">
          {t('settings.tokenName')}
          <input data-testid="token-name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('settings.expiresInDays')}
          <input type="number" min={1} data-testid="token-days" value={days} onChange={(e) => setDays(e.target.value)} />
        </label>
        <button type="submit" className="primary" data-testid="token-create" disabled={create.isPending}>
          {t('settings.createToken')}
        </button>
      </form>
      {secret && (
        <div className="banner banner-ok">
          {t('settings.tokenSecret')} <code className="secret" data-testid="token-secret">{secret}</code>
          <button type="button" className="link" onClick={() => setSecret(null)}>
            {t('common.dismiss')}
          </button>
        </div>
      )}
      <ErrorBanner error={list.error ?? create.error ?? revoke.error} />
      {list.isPending ? (
        <Loading />
      ) : (list.data ?? []).length === 0 ? (
        <Empty />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('common.name')}</th>
              <th>{t('settings.prefix')}</th>
              <th>{t('settings.created')}</th>
              <th>{t('settings.lastUsed')}</th>
              <th>{t('settings.expires')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((tk) => (
              <tr key={tk.id} data-testid="token-row">
                <td>{tk.name}</td>
                <td className="mono small">{tk.prefix}…</td>
                <td className="small nowrap">{fmtTime(tk.createdAt)}</td>
                <td className="small nowrap">{fmtTime(tk.lastUsedAt)}</td>
                <td className="small nowrap">{tk.expiresAt ? fmtTime(tk.expiresAt) : t('settings.never')}</td>
                <td>
                  <button type="button" className="link danger-text" data-testid="token-revoke" onClick={() => revoke.mutate(tk.id)}>
                    {t('settings.revoke')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

