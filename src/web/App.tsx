/**
 * Start-up and routes: first run (no user yet) → setup; no session → login; a role that needs 2FA
 * not yet enrolled → enrolment; then the console, its pages filtered by permission.
 */
import { useCallback, useEffect, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { api, ApiError, setCsrfToken, setUnauthorizedHandler } from './api.ts';
import type { Me, Permission } from './types.ts';
import { setLang, storedLang } from './i18n/index.ts';
import { ErrorBanner, Loading } from './components/common.tsx';
import { SessionContext, type Session } from './components/session.tsx';
import { LiveProvider } from './components/live.tsx';
import { Layout } from './components/Layout.tsx';
import { TotpEnroll } from './components/TotpEnroll.tsx';
import { AuthFrame, Login, Setup } from './pages/Login.tsx';
import { Overview } from './pages/Overview.tsx';
import { Incidents } from './pages/Incidents.tsx';
import { IncidentDetailPage } from './pages/IncidentDetail.tsx';
import { Hosts, HostDetailPage } from './pages/Hosts.tsx';
import { Units } from './pages/Units.tsx';
import { Queries } from './pages/Queries.tsx';
import { Intel } from './pages/Intel.tsx';
import { Policies } from './pages/Policies.tsx';
import { Reports } from './pages/Reports.tsx';
import { Settings } from './pages/Settings.tsx';

async function fetchMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/api/auth/me');
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function App(): ReactNode {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => api.get<{ needsSetup: boolean }>('/api/setup'), staleTime: Infinity, retry: 1 });
  const meQ = useQuery({ queryKey: ['me'], queryFn: fetchMe, enabled: setup.data?.needsSetup === false, staleTime: Infinity, retry: false });
  const me = meQ.data ?? null;

  const reloadMe = useCallback(() => {
    void qc.invalidateQueries({ queryKey: ['setup'] });
    void qc.invalidateQueries({ queryKey: ['me'] });
  }, [qc]);

  useEffect(() => {
    // A 401 on any other call: the session ended (expired, password changed elsewhere).
    setUnauthorizedHandler(() => qc.setQueryData(['me'], null));
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  useEffect(() => {
    // The user's own language is the default until they pick one on this browser.
    if (me && !storedLang()) setLang(me.user.language, false);
  }, [me]);

  const logout = useCallback(() => {
    void api
      .post('/api/auth/logout')
      .catch(() => undefined)
      .finally(() => {
        setCsrfToken(null);
        // Show the login first, then drop what the last user saw (clear() would orphan the observers).
        qc.setQueryData(['me'], null);
        qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'setup' });
      });
  }, [qc]);

  const session = useMemo<Session | null>(() => {
    if (!me) return null;
    const perms = new Set<Permission>(me.permissions);
    return { me, can: (p) => perms.has(p), logout };
  }, [me, logout]);

  if (setup.isPending || (setup.data?.needsSetup === false && meQ.isPending)) return <Loading />;
  if (setup.isError || meQ.isError) {
    return (
      <div className="auth-page">
        <div className="auth-card">
          <ErrorBanner error={setup.error ?? meQ.error} />
          <button type="button" onClick={reloadMe}>
            {t('common.refresh')}
          </button>
        </div>
      </div>
    );
  }
  if (setup.data.needsSetup) return <Setup onDone={reloadMe} />;
  if (!session) return <Login onDone={reloadMe} />;
  if (session.me.mustEnrollTotp) {
    return (
      <AuthFrame title={t('totp.enrollTitle')}>
        <p className="muted">{t('totp.enrollIntro')}</p>
        <TotpEnroll autoStart onEnabled={reloadMe} />
        <button type="button" className="link" data-testid="logout" onClick={logout}>
          {t('common.logout')}
        </button>
      </AuthFrame>
    );
  }

  const can = session.can;
  return (
    <SessionContext.Provider value={session}>
      <LiveProvider>
        <Layout>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/incidents" element={<Incidents />} />
            <Route path="/incidents/:id" element={<IncidentDetailPage />} />
            <Route path="/hosts" element={<Hosts />} />
            <Route path="/hosts/:id" element={<HostDetailPage />} />
            <Route path="/units" element={<Units />} />
            <Route path="/units/:id" element={<Units />} />
            <Route path="/queries" element={<Queries />} />
            {can('intel:read') && <Route path="/intel" element={<Intel />} />}
            <Route path="/policies" element={<Policies />} />
            <Route path="/reports" element={<Reports />} />
            <Route path="/settings" element={<Settings />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Layout>
      </LiveProvider>
    </SessionContext.Provider>
  );
}
