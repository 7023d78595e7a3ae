/** The policy editor (a new version per save) and the version history with rollback. */
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../../api.ts';
import type { BlockAction, CategoryAction, PolicyDocument, PolicyList, PolicyVersion } from '../../types.ts';
import { Empty, ErrorBanner, Loading, Panel } from '../../components/common.tsx';
import { useSession } from '../../components/session.tsx';
import { fmtTime } from '../../format.ts';

const ACTIONS: CategoryAction[] = ['block', 'monitor', 'allow'];
const BLOCK_ACTIONS: BlockAction[] = ['nxdomain', 'nodata', 'refused', 'sinkhole'];
const KNOWN = ['mining-pool', 'mining-proxy', 'cryptojacking-script', 'miner-malware', 'botnet-c2', 'malware-delivery', 'phishing', 'dyndns', 'malware', 'suspicious'];
const EMPTY_DOC: PolicyDocument = { categories: {}, allow: [], deny: [] };

export function listOf(a: PolicyList | undefined): PolicyVersion[] {
  if (!a) return [];
  return Array.isArray(a) ? a : a.items;
}

export function lines(s: string): string[] {
  return [...new Set(s.split(/[\s,]+/).map((x) => x.trim().toLowerCase()).filter(Boolean))];
}

/** What changed from one version's document to the next, in short phrases. */
function diff(prev: PolicyDocument | undefined, cur: PolicyDocument): string[] {
  if (!prev) return [];
  const out: string[] = [];
  const cats = new Set([...Object.keys(prev.categories), ...Object.keys(cur.categories)]);
  for (const c of cats) {
    const a = prev.categories[c];
    const b = cur.categories[c];
    if (a !== b) out.push(`${c}: ${a ?? '–'} → ${b ?? '–'}`);
  }
  if (prev.defaultAction !== cur.defaultAction) out.push(`default: ${prev.defaultAction ?? '–'} → ${cur.defaultAction ?? '–'}`);
  if (prev.blockAction !== cur.blockAction) out.push(`block: ${prev.blockAction ?? '–'} → ${cur.blockAction ?? '–'}`);
  for (const k of ['allow', 'deny'] as const) {
    const before = new Set(prev[k]);
    const after = new Set(cur[k]);
    for (const n of cur[k]) if (!before.has(n)) out.push(`${k} +${n}`);
    for (const n of prev[k]) if (!after.has(n)) out.push(`${k} −${n}`);
  }
  return out;
}

export function Editor({ scope, current }: { scope: string; current: PolicyVersion | undefined }): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const doc = current?.document ?? EMPTY_DOC;
  const [cats, setCats] = useState<Array<[string, CategoryAction]>>(Object.entries(doc.categories));
  const [defaultAction, setDefaultAction] = useState<string>(doc.defaultAction ?? '');
  const [blockAction, setBlockAction] = useState<string>(doc.blockAction ?? '');
  const [allow, setAllow] = useState(doc.allow.join('\n'));
  const [deny, setDeny] = useState(doc.deny.join('\n'));
  const [comment, setComment] = useState('');
  const [newCat, setNewCat] = useState('');
  const [saved, setSaved] = useState(false);
  const readOnly = !can('policy:write');

  useEffect(() => {
    const d = current?.document ?? EMPTY_DOC;
    setCats(Object.entries(d.categories));
    setDefaultAction(d.defaultAction ?? '');
    setBlockAction(d.blockAction ?? '');
    setAllow(d.allow.join('\n'));
    setDeny(d.deny.join('\n'));
  }, [current]);

  const save = useMutation({
    mutationFn: () => {
      const document: PolicyDocument = {
        categories: Object.fromEntries(cats.filter(([c]) => c.trim())),
        allow: lines(allow),
        deny: lines(deny),
        ...(defaultAction ? { defaultAction: defaultAction as CategoryAction } : {}),
        ...(blockAction ? { blockAction: blockAction as BlockAction } : {}),
      };
      return api.put<PolicyVersion>('/api/policies', { scope, document, comment });
    },
    onSuccess: () => {
      setComment('');
      setSaved(true);
      void qc.invalidateQueries({ queryKey: ['policies'] });
      void qc.invalidateQueries({ queryKey: ['policy-history', scope] });
      void qc.invalidateQueries({ queryKey: ['gateways'] });
    },
  });

  const actionLabel = (a: CategoryAction): string => t(`policies.action${a[0]?.toUpperCase() ?? ''}${a.slice(1)}`);

  return (
    <Panel title={`${t('policies.editor')}: ${scope}`} actions={current ? <span className="muted small">v{current.version} · {current.author}</span> : null}>
      <form
        className="policy-editor"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate();
        }}
      >
        <fieldset disabled={readOnly}>
          <h3>{t('policies.categories')}</h3>
          <table className="table compact">
            <thead>
              <tr>
                <th>{t('policies.category')}</th>
                <th>{t('policies.action')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {cats.map(([c, a], i) => (
                <tr key={c || i} data-testid="policy-category-row" data-category={c}>
                  <td className="mono">{c}</td>
                  <td>
                    <select data-testid={`policy-category-${c}`} className={`action-${a}`} value={a} onChange={(e) => setCats(cats.map((x, j) => (j === i ? [x[0], e.target.value as CategoryAction] : x)))}>
                      {ACTIONS.map((x) => (
                        <option key={x} value={x}>
                          {actionLabel(x)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <button type="button" className="link danger-text" onClick={() => setCats(cats.filter((_, j) => j !== i))}>
                      {t('common.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="inline-form">
            <input list="known-categories" data-testid="policy-new-category" placeholder={t('policies.category')} value={newCat} onChange={(e) => setNewCat(e.target.value)} />
            <datalist id="known-categories">
              {KNOWN.map((k) => (
                <option key={k} value={k} />
              ))}
            </datalist>
            <button
              type="button"
              data-testid="policy-add-category"
              onClick={() => {
                const c = newCat.trim().toLowerCase();
                if (c && !cats.some(([x]) => x === c)) setCats([...cats, [c, 'block']]);
                setNewCat('');
              }}
            >
              {t('policies.addCategory')}
            </button>
          </div>
          <div className="form-row">
            <label>
              {t('policies.defaultAction')}
              <select data-testid="policy-default-action" value={defaultAction} onChange={(e) => setDefaultAction(e.target.value)}>
                <option value="">{t('policies.inherit')}</option>
                {ACTIONS.map((x) => (
                  <option key={x} value={x}>
                    {actionLabel(x)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('policies.blockAction')}
              <select data-testid="policy-block-action" value={blockAction} onChange={(e) => setBlockAction(e.target.value)}>
                <option value="">{t('policies.inherit')}</option>
                {BLOCK_ACTIONS.map((x) => (
                  <option key={x} value={x}>
                    {x}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="form-row">
            <label className="grow">
              {t('policies.deny')}
              <textarea data-testid="policy-deny" className="mono" rows={6} value={deny} onChange={(e) => setDeny(e.target.value)} />
            </label>
            <label className="grow">
              {t('policies.allow')}
              <textarea data-testid="policy-allow" className="mono" rows={6} value={allow} onChange={(e) => setAllow(e.target.value)} />
            </label>
          </div>
          <label>
            {t('policies.comment')}
            <input data-testid="policy-comment" value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <ErrorBanner error={save.error} />
          {saved && !save.isPending && <div className="banner banner-ok">{t('common.saved')}</div>}
          {!readOnly && (
            <button type="submit" className="primary" data-testid="policy-save" disabled={save.isPending}>
              {t('policies.saveVersion')}
            </button>
          )}
        </fieldset>
      </form>
    </Panel>
  );
}

export function History({ scope }: { scope: string }): ReactNode {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['policy-history', scope], queryFn: () => api.get<PolicyVersion[]>(`/api/policies/history${qs({ scope })}`) });
  const rollback = useMutation({
    mutationFn: (version: number) => api.post<PolicyVersion>('/api/policies/rollback', { scope, version }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['policies'] });
      void qc.invalidateQueries({ queryKey: ['policy-history', scope] });
      void qc.invalidateQueries({ queryKey: ['gateways'] });
    },
  });
  const sorted = useMemo(() => [...(q.data ?? [])].sort((a, b) => b.version - a.version), [q.data]);
  const byVersion = useMemo(() => new Map(sorted.map((v) => [v.version, v])), [sorted]);
  const latest = sorted[0]?.version;
  return (
    <Panel title={t('policies.history')}>
      <ErrorBanner error={q.error ?? rollback.error} />
      {q.isPending ? (
        <Loading />
      ) : sorted.length === 0 ? (
        <Empty />
      ) : (
        <table className="table compact">
          <thead>
            <tr>
              <th>{t('policies.version')}</th>
              <th>{t('policies.created')}</th>
              <th>{t('policies.author')}</th>
              <th>{t('common.comment')}</th>
              <th>{t('policies.changes')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sorted.map((v) => {
              const prev = byVersion.get(v.version - 1);
              const changes = diff(prev?.document, v.document);
              return (
                <tr key={v.version} data-testid="policy-version-row" data-version={v.version}>
                  <td className="mono">v{v.version}</td>
                  <td className="small nowrap">{fmtTime(v.createdAt)}</td>
                  <td className="small">{v.author}</td>
                  <td className="small">
                    {v.comment}
                    {v.rolledBackFrom !== null && <div className="muted">{t('policies.rolledBackFrom', { version: v.rolledBackFrom })}</div>}
                  </td>
                  <td className="small mono changes">{prev ? (changes.length ? changes.map((c) => <div key={c}>{c}</div>) : <span className="muted">{t('policies.noChanges')}</span>) : <span className="muted">{t('policies.initial')}</span>}</td>
                  <td>
                    {can('policy:write') && v.version !== latest && (
                      <button type="button" data-testid={`policy-rollback-${v.version}`} disabled={rollback.isPending} onClick={() => rollback.mutate(v.version)}>
                        {t('policies.rollback')}
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

