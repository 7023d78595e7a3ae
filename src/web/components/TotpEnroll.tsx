/** Two-factor enrolment: POST /api/auth/totp/setup → QR code and secret; the code → /enable. */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { TotpSetup } from '../types.ts';
import { ErrorBanner } from './common.tsx';

export function TotpEnroll({ onEnabled, autoStart = false }: { onEnabled: () => void; autoStart?: boolean }): ReactNode {
  const { t } = useTranslation();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const start = async (): Promise<void> => {
    setError(null);
    setBusy(true);
    try {
      setSetup(await api.post<TotpSetup>('/api/auth/totp/setup'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const enable = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api.post('/api/auth/totp/enable', { code });
      onEnabled();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const started = useRef(false);
  useEffect(() => {
    if (autoStart && !started.current) {
      started.current = true;
      void start();
    }
    // start once, on mount
  }, []);

  if (!setup) {
    return (
      <div className="form">
        <ErrorBanner error={error} />
        <button type="button" className="primary" data-testid="totp-start" disabled={busy} onClick={() => void start()}>
          {t('totp.start')}
        </button>
      </div>
    );
  }
  return (
    <form className="form totp" onSubmit={(e) => void enable(e)}>
      {/* The SVG is made by the server (qrcode) from the otpauth URL; it holds no script. */}
      <div className="qr" data-testid="totp-qr" dangerouslySetInnerHTML={{ __html: setup.qrSvg }} />
      <label>
        {t('totp.secret')}
        <code className="secret" data-testid="totp-secret">
          {setup.secret}
        </code>
      </label>
      <label>
        {t('totp.code')}
        <input data-testid="totp-code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} required />
      </label>
      <ErrorBanner error={error} />
      <button type="submit" className="primary" data-testid="totp-enable" disabled={busy || code.length !== 6}>
        {t('totp.enable')}
      </button>
    </form>
  );
}
