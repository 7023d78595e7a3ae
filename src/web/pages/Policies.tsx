/** Policies: current scopes, an editor that saves a new version, history with rollback, groups, gateways. */
import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import type { PolicyList } from '../types.ts';
import { ErrorBanner, Loading, Panel } from '../components/common.tsx';
import { useSession } from '../components/session.tsx';
import { fmtTime } from '../format.ts';
import { Editor, History, listOf } from './policies/Editor.tsx';
import { Effective, Gateways, Groups } from './policies/Network.tsx';

export function Policies(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const current = useQuery({ queryKey: ['policies'], queryFn: () => api.get<PolicyList>('/api/policies') });
  const [scope, setScope] = useState<string | null>(null);
  const [newScope, setNewScope] = useState('');
  const versions = listOf(current.data);
  const selected = scope ?? versions[0]?.scope ?? null;

  return (
    <div className="page">
      <div className="page-head">
        <h1>{t('policies.title')}</h1>
      </div>
      <ErrorBanner error={current.error} />
      <div className="grid-policies">
        <Panel title={t('policies.scopes')}>
          {current.isPending ? (
            <Loading />
          ) : (
            <ul className="scope-list">
              {versions.map((v) => (
                <li key={v.scope}>
                  <button type="button" className={v.scope === selected ? 'scope active' : 'scope'} data-testid={`policy-scope-${v.scope}`} onClick={() => setScope(v.scope)}>
                    <span className="mono">{v.scope}</span>
                    <span className="muted small">
                      v{v.version} · {fmtTime(v.createdAt)}
                    </span>
                  </button>
                </li>
              ))}
              {!versions.some((v) => v.scope === 'global') && (
                // The network-wide policy is always there to edit, even before its first version.
                <li>
                  <button type="button" className={selected === 'global' ? 'scope active' : 'scope'} data-testid="policy-scope-global" onClick={() => setScope('global')}>
                    <span className="mono">global</span>
                    <span className="muted small">{t('policies.notSet')}</span>
                  </button>
                </li>
              )}
            </ul>
          )}
          {can('policy:write') && (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                if (newScope.trim()) setScope(newScope.trim());
                setNewScope('');
              }}
            >
              <input data-testid="policy-new-scope" placeholder={t('policies.newScope')} value={newScope} onChange={(e) => setNewScope(e.target.value)} />
              <button type="submit">{t('policies.open')}</button>
            </form>
          )}
        </Panel>
        <div>
          {selected && <Editor key={selected} scope={selected} current={versions.find((v) => v.scope === selected)} />}
          {selected?.startsWith('unit:') && <Effective unit={selected.slice(5)} />}
          {selected && can('policy:read') && <History scope={selected} />}
        </div>
      </div>
      {can('policy:read') && <Groups />}
      {can('policy:read') && <Gateways />}
    </div>
  );
}

