/** One incident: kill-chain bar, hosts, evidence timeline, notes, history and the workflow actions. */
import { useState, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import type { Incident, IncidentDetail, IncidentState, KillChainStage } from '../types.ts';
import { Empty, ErrorBanner, KeyValues, Loading, Panel, SeverityBadge, StateBadge } from '../components/common.tsx';
import { useSession } from '../components/session.tsx';
import { fmtTime } from '../format.ts';

const STAGES: KillChainStage[] = ['delivery', 'installation', 'command-and-control', 'mining', 'action'];

type ActionKey = 'ack' | 'contain' | 'resolve' | 'fp' | 'reopen';
const ACTIONS: Array<{ key: ActionKey; path: string; allowed: IncidentState[] }> = [
  { key: 'ack', path: 'ack', allowed: ['new'] },
  { key: 'contain', path: 'contain', allowed: ['new', 'acknowledged'] },
  { key: 'resolve', path: 'resolve', allowed: ['new', 'acknowledged', 'contained'] },
  { key: 'fp', path: 'false-positive', allowed: ['new', 'acknowledged', 'contained'] },
  { key: 'reopen', path: 'reopen', allowed: ['resolved', 'false-positive'] },
];

export function KillChain({ stage }: { stage: KillChainStage }): ReactNode {
  const { t } = useTranslation();
  const reached = STAGES.indexOf(stage);
  return (
    <ol className="killchain" data-testid="incident-killchain" data-stage={stage}>
      {STAGES.map((s, i) => (
        <li key={s} className={i < reached ? 'passed' : i === reached ? 'reached' : ''}>
          {t(`stage.${s}`)}
        </li>
      ))}
    </ol>
  );
}

export function IncidentDetailPage(): ReactNode {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { can, me } = useSession();
  const q = useQuery({ queryKey: ['incident', id], queryFn: () => api.get<IncidentDetail>(`/api/incidents/${encodeURIComponent(id)}`) });
  const [note, setNote] = useState('');
  const [noteText, setNoteText] = useState('');
  const [allowlist, setAllowlist] = useState(false);
  const [assignee, setAssignee] = useState('');

  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) => api.post<Incident>(`/api/incidents/${encodeURIComponent(id)}/${path}`, body),
    onSuccess: () => {
      setNote('');
      setNoteText('');
      void qc.invalidateQueries({ queryKey: ['incident', id] });
      void qc.invalidateQueries({ queryKey: ['incidents'] });
      void qc.invalidateQueries({ queryKey: ['units'] });
    },
  });

  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorBanner error={q.error} />;
  const { incident: inc, history } = q.data;
  const mayAct = can('incidents:act');

  return (
    <div className="page incident-detail">
      <div className="breadcrumb">
        <Link to="/incidents">← {t('incidents.back')}</Link>
      </div>
      <div className="page-head">
        <h1 data-testid="incident-title">
          <span className="muted">#{inc.id}</span> {inc.title}
        </h1>
        <div className="head-badges">
          <SeverityBadge severity={inc.severity} />
          <span data-testid="incident-state" data-state={inc.state}>
            <StateBadge state={inc.state} />
          </span>
        </div>
      </div>
      <KillChain stage={inc.stage} />
      <ErrorBanner error={act.error} onDismiss={() => act.reset()} />
      <div className="grid-detail">
        <div className="col">
          <Panel title={t('incidents.timeline')}>
            <ol className="timeline">
              {[...inc.timeline]
                .sort((a, b) => b.ts - a.ts)
                .map((e, i) => (
                  <li key={`${e.ts}-${i}`} className="timeline-entry">
                    <div className="timeline-head">
                      <span className="time">{fmtTime(e.ts)}</span>
                      <span className="tag">{e.detector}</span>
                      <span className="tag tag-stage">{t(`stage.${e.stage}`)}</span>
                      <span className="mono small muted">{e.client}</span>
                    </div>
                    <div className="strong">{e.title}</div>
                    <KeyValues data={e.evidence} />
                  </li>
                ))}
            </ol>
          </Panel>
          <Panel title={t('incidents.notes')}>
            {inc.notes.length === 0 && <div className="muted">{t('incidents.noNotes')}</div>}
            <ul className="notes">
              {inc.notes.map((n, i) => (
                <li key={i}>
                  <div className="muted small">
                    {fmtTime(n.at)} · {n.by}
                  </div>
                  <div className="pre">{n.text}</div>
                </li>
              ))}
            </ul>
            {mayAct && (
              <form
                className="inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (noteText.trim()) act.mutate({ path: 'note', body: { text: noteText.trim() } });
                }}
              >
                <textarea data-testid="incident-note-text" rows={2} placeholder={t('incidents.noteText')} value={noteText} onChange={(e) => setNoteText(e.target.value)} />
                <button type="submit" data-testid="incident-action-note" disabled={act.isPending || !noteText.trim()}>
                  {t('incidents.addNote')}
                </button>
              </form>
            )}
          </Panel>
        </div>
        <div className="col">
          {mayAct && (
            <Panel title={t('common.actions')}>
              <div className="actions">
                <textarea rows={2} data-testid="incident-action-note-text" placeholder={t('incidents.noteOptional')} value={note} onChange={(e) => setNote(e.target.value)} />
                <div className="button-row">
                  {ACTIONS.filter((a) => a.allowed.includes(inc.state)).map((a) => (
                    <button
                      key={a.key}
                      type="button"
                      className={a.key === 'contain' ? 'danger' : a.key === 'resolve' ? 'primary' : ''}
                      data-testid={`incident-action-${a.key}`}
                      disabled={act.isPending}
                      onClick={() => act.mutate({ path: a.path, body: { ...(a.key === 'fp' ? { allowlist } : {}), ...(note.trim() ? { note: note.trim() } : {}) } })}
                    >
                      {t(`incidents.${a.key}`)}
                    </button>
                  ))}
                </div>
                {ACTIONS.some((a) => a.key === 'fp' && a.allowed.includes(inc.state)) && (
                  <label className="check">
                    <input type="checkbox" data-testid="incident-fp-allowlist" checked={allowlist} onChange={(e) => setAllowlist(e.target.checked)} />
                    {t('incidents.alsoAllow')}
                    {inc.indicator ? <span className="mono small"> ({inc.indicator})</span> : null}
                  </label>
                )}
                <div className="inline-form">
                  <input data-testid="incident-assignee" placeholder={t('incidents.assignee')} value={assignee} onChange={(e) => setAssignee(e.target.value)} />
                  <button type="button" data-testid="incident-action-assign" disabled={act.isPending} onClick={() => act.mutate({ path: 'assign', body: { assignee: assignee.trim() || null } })}>
                    {t('incidents.assign')}
                  </button>
                  <button type="button" className="link" onClick={() => act.mutate({ path: 'assign', body: { assignee: me.user.username } })}>
                    {t('incidents.assignMe')}
                  </button>
                </div>
              </div>
            </Panel>
          )}
          <Panel>
            <dl className="facts">
              <dt>{t('incidents.kind')}</dt>
              <dd>{inc.kind === 'campaign' ? t('incidents.kindCampaign') : t('incidents.kindHost')}</dd>
              <dt>{t('incidents.threat')}</dt>
              <dd className="mono">{inc.threat}</dd>
              <dt>{t('incidents.confidence')}</dt>
              <dd>
                <span className="meter">
                  <span style={{ width: `${inc.confidence}%` }} />
                </span>{' '}
                {inc.confidence}
              </dd>
              <dt>{t('common.unit')}</dt>
              <dd>{inc.unit ? <Link to={`/units/${encodeURIComponent(inc.unit)}`}>{inc.unit}</Link> : '–'}</dd>
              {inc.controller && (
                <>
                  <dt>{t('incidents.controller')}</dt>
                  <dd className="mono">{inc.controller}</dd>
                </>
              )}
              {inc.indicator && (
                <>
                  <dt>{t('incidents.indicator')}</dt>
                  <dd className="mono">{inc.indicator}</dd>
                </>
              )}
              {inc.campaignId !== null && (
                <>
                  <dt>{t('incidents.campaign')}</dt>
                  <dd>
                    <Link to={`/incidents/${inc.campaignId}`}>#{inc.campaignId}</Link>
                  </dd>
                </>
              )}
              <dt>{t('incidents.firstSeen')}</dt>
              <dd>{fmtTime(inc.firstSeen)}</dd>
              <dt>{t('incidents.lastSeen')}</dt>
              <dd>{fmtTime(inc.lastSeen)}</dd>
              <dt>{t('incidents.assignee')}</dt>
              <dd>{inc.assignee ?? <span className="muted">{t('incidents.unassigned')}</span>}</dd>
              <dt>{t('incidents.alerts')}</dt>
              <dd>{inc.alerts}</dd>
            </dl>
          </Panel>
          <Panel title={t('incidents.hosts')}>
            <table className="table compact">
              <tbody>
                {inc.hosts.map((h) => (
                  <tr key={`${h.site}/${h.client}`}>
                    <td className="mono">
                      <Link to={`/hosts?search=${encodeURIComponent(h.client)}`}>{h.client}</Link>
                      {h.site ? <span className="muted small"> @{h.site}</span> : null}
                    </td>
                    <td className="small">{h.unit ? <Link to={`/units/${encodeURIComponent(h.unit)}`}>{h.unit}</Link> : '–'}</td>
                    <td className="small nowrap">{fmtTime(h.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
          <Panel title={t('incidents.history')}>
            {history.length === 0 && <Empty />}
            <ul className="history">
              {history.map((h, i) => (
                <li key={i}>
                  <span className="muted small">
                    {fmtTime(h.at)} · {h.by}
                  </span>
                  <div>
                    {t('incidents.changed', {
                      field: h.field === 'state' ? t('incidents.state') : t('incidents.assignee'),
                      from: h.field === 'state' && h.from ? t(`state.${h.from}`) : (h.from ?? '–'),
                      to: h.field === 'state' && h.to ? t(`state.${h.to}`) : (h.to ?? '–'),
                    })}
                  </div>
                </li>
              ))}
            </ul>
          </Panel>
        </div>
      </div>
    </div>
  );
}
