// Runs: filter by status and lane, search, choose a session, archive it, show archived.
import { useMemo, useState } from 'react';
import { can, post } from '../api';
import { useRefreshOn } from '../live';
import type { Run, RunSession } from '../types';
import { Action, Empty, ErrorBox, Link, Pill, useApi } from '../ui';

const STATUSES = [
  '',
  'queued',
  'running',
  'awaiting_approval',
  'quarantined',
  'failed',
  'succeeded',
  'cancelled',
];

/** The runs page. */
export function RunsPage() {
  const refresh = useRefreshOn(['run.', 'step.', 'session.']);
  const [status, setStatus] = useState('');
  const [lane, setLane] = useState('');
  const [q, setQ] = useState('');
  const [session, setSession] = useState('');
  const [archived, setArchived] = useState(false);
  const sessions = useApi<{ sessions: RunSession[] }>(
    `/sessions${archived ? '?archived=true' : ''}`,
    refresh,
  );
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  if (lane) query.set('lane', lane);
  if (q.trim()) query.set('q', q.trim());
  if (session) query.set('session', session);
  if (archived) query.set('archived', 'true');
  const runs = useApi<{ runs: Run[] }>(`/runs?${query.toString()}`, refresh);
  const lanes = useMemo(
    () => [...new Set((runs.data?.runs ?? []).map((r) => r.lane))].sort(),
    [runs.data],
  );
  const chosen = sessions.data?.sessions.find((s) => s.id === session);
  const [target, setTarget] = useState('');
  return (
    <section aria-labelledby="runs-h">
      <h1 id="runs-h">Runs</h1>
      {can('run.start') ? (
        <form className="import" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="run-target">Start a run</label>
          <input
            id="run-target"
            placeholder="plan, phase or task ID"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
          <Action
            label="Run"
            kind="primary"
            run={async () => {
              await post('/runs', { target: target.trim(), ...(session ? { session } : {}) });
              runs.reload();
            }}
          />
        </form>
      ) : null}
      <div className="filters" role="search">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'any' : s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Lane
          <select value={lane} onChange={(e) => setLane(e.target.value)}>
            <option value="">any</option>
            {lanes.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Session
          <select value={session} onChange={(e) => setSession(e.target.value)}>
            <option value="">all</option>
            {(sessions.data?.sessions ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
                {s.archived ? ' (archived)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Search
          <input
            type="search"
            placeholder="title or intent"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => setArchived(e.target.checked)}
          />{' '}
          Show archived
        </label>
        {chosen !== undefined && can('session.archive') ? (
          <Action
            label={chosen.archived ? 'Unarchive session' : 'Archive session'}
            run={async () => {
              await post(`/sessions/${encodeURIComponent(chosen.id)}/archive`, {
                archived: !chosen.archived,
              });
              if (!chosen.archived && !archived) setSession('');
              sessions.reload();
              runs.reload();
            }}
          />
        ) : null}
      </div>
      <ErrorBox error={runs.error} />
      {runs.data !== null && runs.data.runs.length === 0 ? (
        <Empty title="No runs match">
          {status || lane || q || session
            ? 'Clear the filters to see every run.'
            : 'Start one above, or with `pulser run <id>`.'}
        </Empty>
      ) : null}
      {runs.data === null || runs.data.runs.length === 0 ? null : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Lane</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(r.id)}`}>{r.title}</Link>
                    <div className="muted small">{r.intent ?? r.target}</div>
                  </td>
                  <td>
                    <Pill value={r.status} />
                  </td>
                  <td>{r.lane}</td>
                  <td>{new Date(r.createdAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
