/** Sign-in (with the TOTP code when the server asks for it) and the first-run screen. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, setCsrfToken } from '../api.ts';
import type { LoginAnswer } from '../types.ts';
import { ErrorBanner } from '../components/common.tsx';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { Logo } from '../components/Logo.tsx';

function AuthFrame({ title, children }: { title: string; children: ReactNode }): ReactNode {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <Logo />
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="muted small">{t('app.tagline')}</div>
          </div>
          <div className="spacer" />
          <LangSwitch />
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </div>
  );
}

export function Login({ onDone }: { onDone: (a: LoginAnswer) => void }): ReactNode {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const a = await api.post<LoginAnswer>('/api/auth/login', { username, password, ...(needTotp && totp ? { totp } : {}) });
      setCsrfToken(a.csrfToken);
      onDone(a);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'MW_ERR_TOTP_REQUIRED') {
        // The first answer only says a code is needed; a wrong code is an error to show.
        if (needTotp && totp) setError(err);
        setNeedTotp(true);
        setTotp('');
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('login.title')}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('login.username')}
          <input data-testid="login-username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          {t('login.password')}
          <input data-testid="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {needTotp && (
          <label>
            {t('login.totp')}
            <input data-testid="login-totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} autoFocus value={totp} onChange={(e) => setTotp(e.target.value.replace(/\D/g, ''))} required />
            <span className="muted small">{t('login.totpHint')}</span>
          </label>
        )}
        <ErrorBanner error={error} testId="login-error" />
        <button type="submit" className="primary" data-testid="login-submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </AuthFrame>
  );
}

export function Setup({ onDone }: { onDone: (a: LoginAnswer) => void }): ReactNode {
  const { t, i18n } = useTranslation();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const language = i18n.language === 'zh' ? 'zh' : 'en';
      const a = await api.post<LoginAnswer>('/api/setup', { username, password, language, ...(displayName ? { displayName } : {}) });
      setCsrfToken(a.csrfToken);
      onDone(a);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title={t('setup.title')}>
      <p className="muted">{t('setup.intro')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('login.username')}
          <input data-testid="setup-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </label>
        <label>
          {t('setup.displayName')}
          <input data-testid="setup-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          {t('login.password')}
          <input data-testid="setup-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <span className="muted small">{t('setup.passwordHint')}</span>
        </label>
        <ErrorBanner error={error} testId="setup-error" />
        <button type="submit" className="primary" data-testid="setup-submit" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </AuthFrame>
  );
}

export { AuthFrame };
