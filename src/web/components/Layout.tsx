/** The frame: dark sidebar with the pages the user may see, top bar with user, language, logout. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import type { Permission } from '../types.ts';
import { useSession } from './session.tsx';
import { LangSwitch } from './LangSwitch.tsx';
import { useLive } from './live.tsx';
import { fmtNum } from '../format.ts';
import { Logo } from './Logo.tsx';

export const PAGES: Array<{ key: string; path: string; icon: string; perm: Permission | null }> = [
  { key: 'overview', path: '/', icon: '◉', perm: 'read' },
  { key: 'incidents', path: '/incidents', icon: '⚠', perm: 'read' },
  { key: 'hosts', path: '/hosts', icon: '▣', perm: 'read' },
  { key: 'units', path: '/units', icon: '⌂', perm: 'read' },
  { key: 'queries', path: '/queries', icon: '⌕', perm: 'read' },
  { key: 'intel', path: '/intel', icon: '◈', perm: 'intel:read' },
  { key: 'policies', path: '/policies', icon: '▦', perm: 'read' },
  { key: 'reports', path: '/reports', icon: '▤', perm: 'read' },
  { key: 'settings', path: '/settings', icon: '⚙', perm: null },
];

export function Layout({ children }: { children: ReactNode }): ReactNode {
  const { t } = useTranslation();
  const { me, can, logout } = useSession();
  const live = useLive();
  return (
    <div className="shell">
      <nav className="sidebar">
        <div className="brand">
          <Logo />
          <span className="brand-name">{t('app.name')}</span>
        </div>
        <ul>
          {PAGES.filter((p) => p.perm === null || can(p.perm)).map((p) => (
            <li key={p.key}>
              <NavLink to={p.path} end={p.path === '/'} data-testid={`nav-${p.key}`} className={({ isActive }) => (isActive ? 'active' : '')}>
                <span className="nav-icon">{p.icon}</span>
                {t(`nav.${p.key}`)}
              </NavLink>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot muted small">{t('app.tagline')}</div>
      </nav>
      <div className="main">
        <header className="topbar">
          <div className={`live-state ${live.connected ? 'on' : 'off'}`} title={live.connected ? t('overview.connected') : t('overview.disconnected')}>
            <span className="dot" /> {live.connected ? t('overview.connected') : t('overview.disconnected')}
            {live.stats && <span className="muted"> · {t('overview.qps', { qps: fmtNum(live.stats.qps, 1) })}</span>}
          </div>
          <div className="spacer" />
          <span className="user" data-testid="current-user">
            {me.user.displayName || me.user.username} <span className="muted small">({me.user.role})</span>
          </span>
          <LangSwitch />
          <button type="button" className="ghost" data-testid="logout" onClick={logout}>
            {t('common.logout')}
          </button>
        </header>
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
