/** Settings (admin): users and roles. */
import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.ts';
import type { Role, RoleInfo, User } from '../../types.ts';
import { ErrorBanner, Loading, Panel } from '../../components/common.tsx';
import { useSession } from '../../components/session.tsx';
import { fmtTime } from '../../format.ts';

const ROLES: Role[] = ['admin', 'analyst', 'unit-viewer'];

function units(s: string): string[] {
  return s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
}

interface UserForm {
  id: number | null;
  username: string;
  displayName: string;
  password: string;
  role: Role;
  units: string;
  language: 'en' | 'zh';
}
const NEW_USER: UserForm = { id: null, username: '', displayName: '', password: '', role: 'analyst', units: '', language: 'zh' };

export function Users(): ReactNode {
  const { t } = useTranslation();
  const { me } = useSession();
  const qc = useQueryClient();
  const [form, setForm] = useState<UserForm | null>(null);
  const list = useQuery({ queryKey: ['users'], queryFn: () => api.get<User[]>('/api/users') });
  const done = (): void => void qc.invalidateQueries({ queryKey: ['users'] });
  const save = useMutation({
    mutationFn: (f: UserForm) =>
      f.id === null
        ? api.post<User>('/api/users', { username: f.username.trim(), password: f.password, role: f.role, units: units(f.units), language: f.language, ...(f.displayName ? { displayName: f.displayName } : {}) })
        : api.patch<User>(`/api/users/${f.id}`, { displayName: f.displayName, role: f.role, units: units(f.units), language: f.language, ...(f.password ? { password: f.password } : {}) }),
    onSuccess: () => {
      setForm(null);
      done();
    },
  });
  const patch = useMutation({ mutationFn: ({ id, body }: { id: number; body: unknown }) => api.patch<User>(`/api/users/${id}`, body), onSuccess: done });
  const unlock = useMutation({ mutationFn: (id: number) => api.post(`/api/users/${id}/unlock`), onSuccess: done });
  const remove = useMutation({ mutationFn: (id: number) => api.del(`/api/users/${id}`), onSuccess: done });
  const now = Date.now();
  return (
    <Panel title={t('settings.users')} actions={<button type="button" data-testid="user-add" onClick={() => setForm({ ...NEW_USER })}>{t('settings.addUser')}</button>}>
      <ErrorBanner error={list.error ?? patch.error ?? unlock.error ?? remove.error} />
      {form && (
        <form
          className="filters user-form"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(form);
          }}
        >
          <label>
            {t('settings.username')}
            <input data-testid="user-username" value={form.username} disabled={form.id !== null} onChange={(e) => setForm({ ...form, username: e.target.value })} required />
          </label>
          <label>
            {t('settings.displayName')}
            <input data-testid="user-display-name" value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
          </label>
          <label>
            {t('login.password')}
            <input type="password" data-testid="user-password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required={form.id === null} />
          </label>
          <label>
            {t('settings.role')}
            <select data-testid="user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label className="grow">
            {t('settings.unitsField')}
            <input data-testid="user-units" value={form.units} disabled={form.role !== 'unit-viewer'} onChange={(e) => setForm({ ...form, units: e.target.value })} />
          </label>
          <label>
            {t('settings.language')}
            <select value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value === 'en' ? 'en' : 'zh' })}>
              <option value="zh">中文</option>
              <option value="en">English</option>
            </select>
          </label>
          <button type="submit" className="primary" data-testid="user-save" disabled={save.isPending}>
            {t('common.save')}
          </button>
          <button type="button" onClick={() => setForm(null)}>
            {t('common.cancel')}
          </button>
          <ErrorBanner error={save.error} />
        </form>
      )}
      {list.isPending ? (
        <Loading />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('settings.username')}</th>
              <th>{t('settings.displayName')}</th>
              <th>{t('settings.role')}</th>
              <th>{t('nav.units')}</th>
              <th>{t('settings.twoFactor')}</th>
              <th>{t('settings.lastLogin')}</th>
              <th>{t('common.status')}</th>
              <th>{t('common.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((u) => {
              const locked = u.lockedUntil !== null && u.lockedUntil > now;
              return (
                <tr key={u.id} data-testid="user-row" data-username={u.username} className={u.disabled ? 'row-disabled' : ''}>
                  <td className="mono">{u.username}</td>
                  <td>{u.displayName}</td>
                  <td className="small">{u.role}</td>
                  <td className="small mono">{u.units.join(', ')}</td>
                  <td className="small">{u.totpEnabled ? '✔' : '–'}</td>
                  <td className="small nowrap">{fmtTime(u.lastLoginAt)}</td>
                  <td className="small">
                    {u.disabled && <span className="tag tag-warn">{t('settings.disabled')}</span>}
                    {locked && <span className="tag tag-bad">{t('settings.locked')}</span>}
                  </td>
                  <td className="nowrap">
                    <button type="button" className="link" onClick={() => setForm({ id: u.id, username: u.username, displayName: u.displayName, password: '', role: u.role, units: u.units.join(', '), language: u.language })}>
                      {t('common.edit')}
                    </button>
                    {u.id !== me.user.id && (
                      <button type="button" className="link" data-testid="user-disable" onClick={() => patch.mutate({ id: u.id, body: { disabled: !u.disabled } })}>
                        {u.disabled ? t('settings.enable') : t('settings.disable')}
                      </button>
                    )}
                    {(locked || u.failedLogins > 0) && (
                      <button type="button" className="link" data-testid="user-unlock" onClick={() => unlock.mutate(u.id)}>
                        {t('settings.unlock')}
                      </button>
                    )}
                    {u.totpEnabled && (
                      <button type="button" className="link" data-testid="user-reset-totp" onClick={() => patch.mutate({ id: u.id, body: { resetTotp: true } })}>
                        {t('settings.resetTotp')}
                      </button>
                    )}
                    {u.id !== me.user.id && (
                      <button type="button" className="link danger-text" data-testid="user-delete" onClick={() => window.confirm(t('common.confirmDelete', { name: u.username })) && remove.mutate(u.id)}>
                        {t('common.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function Roles(): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['roles'], queryFn: () => api.get<RoleInfo[]>('/api/roles') });
  const set = useMutation({
    mutationFn: ({ role, totpRequired }: { role: string; totpRequired: boolean }) => api.put(`/api/roles/${encodeURIComponent(role)}`, { totpRequired }),
    // Show the new state at once; the refetch afterwards corrects it if the server said no.
    onMutate: ({ role, totpRequired }) => qc.setQueryData<RoleInfo[]>(['roles'], (old) => old?.map((r) => (r.role === role ? { ...r, totpRequired } : r))),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['roles'] }),
  });
  return (
    <Panel title={t('settings.roles')}>
      <ErrorBanner error={list.error ?? set.error} />
      {list.isPending ? (
        <Loading />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('settings.role')}</th>
              <th>{t('settings.permissions')}</th>
              <th>{t('settings.totpRequired')}</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((r) => (
              <tr key={r.role} data-testid="role-row">
                <td className="mono">{r.role}</td>
                <td className="small">
                  {r.permissions.map((p) => (
                    <span key={p} className="tag">
                      {p}
                    </span>
                  ))}
                </td>
                <td>
                  <input type="checkbox" data-testid={`role-totp-${r.role}`} checked={r.totpRequired} disabled={!can('users:manage') || set.isPending} onChange={(e) => set.mutate({ role: r.role, totpRequired: e.target.checked })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

