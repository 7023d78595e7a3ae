/** Settings: my account (password, 2FA), my API tokens, users and roles (admin), sensors, audit log. */
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Tabs } from '../components/common.tsx';
import { useSession } from '../components/session.tsx';
import { Account, Tokens } from './settings/Account.tsx';
import { Roles, Users } from './settings/Users.tsx';
import { Audit, Sensors } from './settings/System.tsx';

type Tab = 'account' | 'tokens' | 'users' | 'roles' | 'sensors' | 'audit';
export function Settings(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const [tab, setTab] = useState<Tab>('account');
  const tabs: Array<{ key: Tab; label: string }> = [
    { key: 'account', label: t('settings.account') },
    { key: 'tokens', label: t('settings.tokens') },
  ];
  if (can('users:manage')) tabs.push({ key: 'users', label: t('settings.users') });
  tabs.push({ key: 'roles', label: t('settings.roles') });
  if (can('system:read')) tabs.push({ key: 'sensors', label: t('settings.sensors') });
  if (can('audit:read')) tabs.push({ key: 'audit', label: t('settings.audit') });
  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('settings.title')}</h1>
      </div>
      <Tabs<Tab> tabs={tabs} active={tab} onChange={setTab} />
      {tab === 'account' && <Account />}
      {tab === 'tokens' && <Tokens />}
      {tab === 'users' && <Users />}
      {tab === 'roles' && <Roles />}
      {tab === 'sensors' && <Sensors />}
      {tab === 'audit' && <Audit />}
    </div>
  );
}
