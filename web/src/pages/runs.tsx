// Runs: filter by status and lane, search, choose a session, archive it, show archived, start
// one; a page at a time with the total, runs waiting for a person first, check runs grouped.
import { useEffect, useMemo, useState } from 'react';
import { can, post } from '../api';
import { useRefreshOn } from '../live';
import { RUN_STATUSES, type Run, type RunPage, type RunSession } from '../types';
import { Action, Ago, Clock, Empty, ErrorBox, Link, Pill, useApi } from '../ui';
import { StartRun } from './start-run';

/** Runs per page. */
const PAGE = 25;

interface Filters {
  status: string;
  lane: string;
  q: string;
  session: string;
  archived: boolean;
  /** `checks`: the runs `pulser check` started; otherwise the others. */
  kind: 'work' | 'checks';
  order: 'waiting' | 'newest';
  page: number;
}

function readFilters(): Filters & { start: string | null } {
  const p = new URLSearchParams(location.search);
  const page = Number(p.get('page') ?? '1');
  return {
    status: p.get('status') ?? '',
    lane: p.get('lane') ?? '',
    q: p.get('q') ?? '',
    session: p.get('session') ?? '',
    archived: p.get('archived') === 'true',
    kind: p.get('kind') === 'checks' ? 'checks' : 'work',
    order: p.get('order') === 'newest' ? 'newest' : 'waiting',
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    start: p.get('start'),
  };
}

/** The page's address query (what a link keeps). */
function query(f: Filters, q: string): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.lane) p.set('lane', f.lane);
  if (q.trim()) p.set('q', q.trim());
  if (f.session) p.set('session', f.session);
  if (f.archived) p.set('archived', 'true');
  if (f.kind === 'checks') p.set('kind', 'checks');
  if (f.order === 'newest') p.set('order', 'newest');
  if (f.page > 1) p.set('page', String(f.page));
  return p.toString();
}

/** The API query of the page. */
function apiQuery(f: Filters, q: string): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.lane) p.set('lane', f.lane);
  if (q.trim()) p.set('q', q.trim());
  if (f.session) p.set('session', f.session);
  if (f.archived) p.set('archived', 'true');
  p.set('kind', f.kind);
  p.set('order', f.order);
  p.set('offset', String((f.page - 1) * PAGE));
  p.set('limit', String(PAGE));
  return p.toString();
}

/** Steps done out of all, and how many wait for a person. */
function StepsCell({ run }: { run: Run }) {
  const c = run.counts;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  const done = c.succeeded;
  const bad = c.failed + c.timed_out + c.cancelled;
  const people = c.awaiting_approval + c.quarantined;
  const pct = (n: number) => `${total === 0 ? 0 : (n / total) * 100}%`;
  return (
    <div className="steps-cell">
      <div
        className="stack-bar"
        role="img"
        aria-label={`${done} of ${total} steps done${bad ? `, ${bad} failed` : ''}`}
      >
        <span className="ok-part" style={{ width: pct(done) }} />
        <span className="bad-part" style={{ width: pct(bad) }} />
        <span className="wait-part" style={{ width: pct(people) }} />
      </div>
      <span className="num">
        {done}/{total}
      </span>
      {c.skipped > 0 ? <span className="muted small">{c.skipped} skipped</span> : null}
      {people > 0 ? <span className="needs">{people} waiting for a person</span> : null}
    </div>
  );
}

/** How long a run took, or has been running (live); a run waiting for a person has no clock. */
export function RunClock({ run }: { run: Run }) {
  if (run.status === 'waiting') return <span className="muted">waiting</span>;
  if (run.startedAt === null) return <span className="muted">not started</span>;
  return <Clock from={run.startedAt} to={run.finishedAt} />;
}

/** The runs page. */
export function RunsPage() {
  const refresh = useRefreshOn(['run.', 'step.', 'session.']);
  const created = useRefreshOn(['run.created', 'session.'], 1000);
  const init = useMemo(readFilters, []);
  const [f, setF] = useState<Filters>(init);
  const [q, setQ] = useState(init.q);
  const [starting, setStarting] = useState(init.start !== null);
  const [search, setSearch] = useState(init.q);
  useEffect(() => {
    const t = setTimeout(() => setSearch(q), 250);
    return () => clearTimeout(t);
  }, [q]);
  const qs = query(f, search);
  useEffect(() => {
    history.replaceState(null, '', `/runs${qs ? `?${qs}` : ''}`);
  }, [qs]);
  // Any filter change goes back to the first page.
  const set = (patch: Partial<Filters>) => setF((x) => ({ ...x, page: 1, ...patch }));
  useEffect(() => {
    if (search !== init.q) setF((x) => ({ ...x, page: 1 }));
  }, [search]);
  const sessions = useApi<{ sessions: RunSession[] }>('/sessions?archived=true', created);
  const runs = useApi<RunPage>(`/runs?${apiQuery(f, search)}`, refresh);
  const plans = useApi<{ plans: Array<{ id: string; title: string }> }>('/plans', created);
  const planTitle = useMemo(
    () => new Map((plans.data?.plans ?? []).map((p) => [p.id, p.title])),
    [plans.data],
  );
  const lanesSeen = useApi<{ runs: Run[] }>('/runs?archived=true&limit=500', created);
  const lanes = useMemo(
    () => [...new Set((lanesSeen.data?.runs ?? []).map((r) => r.lane))].sort(),
    [lanesSeen.data],
  );
  const allSessions = sessions.data?.sessions ?? [];
  const shownSessions = allSessions.filter((s) => f.archived || !s.archived || s.id === f.session);
  const chosen = allSessions.find((s) => s.id === f.session);
  const filtered = f.status !== '' || f.lane !== '' || search.trim() !== '' || f.session !== '';
  const list = runs.data?.runs ?? [];
  const page = runs.data;
  const pages = page === null ? 1 : Math.max(1, Math.ceil(page.total / PAGE));
  return (
    <section aria-labelledby="runs-h">
      <div className="page-head">
        <h1 id="runs-h">Runs</h1>
        {can('run.start') && !starting ? (
          <button type="button" className="primary" onClick={() => setStarting(true)}>
            Start a run
          </button>
        ) : null}
      </div>
      {starting && can('run.start') ? (
        <StartRun
          sessions={allSessions}
          lanes={lanes}
          initial={init.start ?? ''}
          onClose={() => setStarting(false)}
        />
      ) : null}
      <div className="filters" role="search" aria-label="filter runs">
        <label>
          Status
          <select value={f.status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Lane
          <select value={f.lane} onChange={(e) => set({ lane: e.target.value })}>
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
          <select value={f.session} onChange={(e) => set({ session: e.target.value })}>
            <option value="">all sessions</option>
            {shownSessions.map((s) => (
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
            checked={f.archived}
            onChange={(e) => set({ archived: e.target.checked })}
          />
          Show archived
        </label>
        <label>
          Order
          <select
            value={f.order}
            onChange={(e) => set({ order: e.target.value === 'newest' ? 'newest' : 'waiting' })}
          >
            <option value="waiting">waiting for a person first</option>
            <option value="newest">newest first</option>
          </select>
        </label>
        {filtered ? (
          <button
            type="button"
            className="linklike"
            onClick={() => {
              setQ('');
              setSearch('');
              set({ status: '', lane: '', session: '' });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
      {chosen === undefined ? null : (
        <div className="session-bar" aria-label="chosen session">
          <div>
            <strong>{chosen.title}</strong> {chosen.archived ? <Pill value="archived" /> : null}
            <div className="muted small">
              {chosen.runs} run{chosen.runs === 1 ? '' : 's'} · started by {chosen.createdBy} ·{' '}
              <Ago iso={chosen.createdAt} />
            </div>
          </div>
          {can('session.archive') ? (
            <Action
              label={chosen.archived ? 'Unarchive session' : 'Archive session'}
              run={() =>
                post(`/sessions/${encodeURIComponent(chosen.id)}/archive`, {
                  archived: !chosen.archived,
                })
              }
              onDone={() => {
                if (!chosen.archived && !f.archived) set({ session: '' });
                sessions.reload();
                runs.reload();
              }}
            />
          ) : null}
        </div>
      )}
      <ErrorBox error={runs.error} />
      {page === null ? null : (
        <RunsSummary
          page={page}
          kind={f.kind}
          onKind={(kind) => set({ kind })}
          onWaiting={() => set({ status: 'waiting' })}
        />
      )}
      {runs.data !== null && list.length === 0 ? (
        filtered ? (
          <Empty title="No runs match these filters">
            Clear the filters{f.archived ? '' : ', or tick “Show archived”,'} to see more runs.
          </Empty>
        ) : (
          <Empty title="No runs yet">
            {can('run.start') ? (
              <>
                Press <strong>Start a run</strong> and pick a plan, phase or task, or run{' '}
                <code>pulser run TARGET</code> in the project folder.
              </>
            ) : (
              <>
                An operator starts runs here or with <code>pulser run TARGET</code>; they appear
                live.
              </>
            )}
          </Empty>
        )
      ) : null}
      {runs.data === null && runs.error === null ? <p className="muted">Loading runs…</p> : null}
      {list.length === 0 ? null : (
        <div className="table-wrap">
          <table className="runs-table">
            <caption className="sr-only">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Steps</th>
                <th scope="col">Took</th>
                <th scope="col" className="hide-narrow">
                  Plan
                </th>
                <th scope="col" className="hide-narrow">
                  Started
                </th>
                <th scope="col" className="hide-narrow">
                  Ended
                </th>
                <th scope="col" className="hide-narrow">
                  Lane
                </th>
                <th scope="col" className="hide-narrow">
                  Requested by
                </th>
                <th scope="col" className="hide-narrow">
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(r.id)}`} className="run-title">
                      {r.title}
                    </Link>
                    <div className="muted small">
                      <span className="mono">{r.id}</span>
                      {r.intent ? ` · ${r.intent}` : ''}
                    </div>
                  </td>
                  <td>
                    <Pill value={r.status} />
                  </td>
                  <td>
                    <StepsCell run={r} />
                  </td>
                  <td>
                    <RunClock run={r} />
                  </td>
                  <td className="hide-narrow">
                    {r.target === null ? (
                      <span className="muted">ad-hoc</span>
                    ) : (
                      <Link to={`/plans/${encodeURIComponent(r.target.planId)}`}>
                        {planTitle.get(r.target.planId) ?? r.target.planId}
                      </Link>
                    )}
                    {r.target !== null && r.target.kind !== 'plan' ? (
                      <div className="muted small mono">{r.target.nodeId}</div>
                    ) : null}
                  </td>
                  <td className="hide-narrow">
                    <Ago iso={r.startedAt} />
                  </td>
                  <td className="hide-narrow">
                    {r.finishedAt === null ? (
                      <span className="muted">
                        {r.status === 'waiting' ? 'waiting' : 'not ended'}
                      </span>
                    ) : (
                      <Ago iso={r.finishedAt} />
                    )}
                  </td>
                  <td className="hide-narrow">{r.lane}</td>
                  <td className="hide-narrow">{r.requestedBy}</td>
                  <td className="hide-narrow">
                    <Ago iso={r.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page === null || page.total <= PAGE ? null : (
        <nav className="pager" aria-label="pages of runs">
          <button
            type="button"
            disabled={f.page <= 1}
            onClick={() => setF((x) => ({ ...x, page: x.page - 1 }))}
          >
            ← Newer
          </button>
          <span>
            Page {f.page} of {pages}
          </span>
          <button
            type="button"
            disabled={f.page >= pages}
            onClick={() => setF((x) => ({ ...x, page: x.page + 1 }))}
          >
            Older →
          </button>
        </nav>
      )}
    </section>
  );
}

/** The count of runs, how many wait for a person, and the check runs grouped apart. */
function RunsSummary({
  page,
  kind,
  onKind,
  onWaiting,
}: {
  page: RunPage;
  kind: 'work' | 'checks';
  onKind: (k: 'work' | 'checks') => void;
  onWaiting: () => void;
}) {
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.runs.length;
  const c = page.checks;
  return (
    <div className="runs-summary">
      <p className="muted small" role="status">
        {page.total === 0
          ? 'No runs'
          : `Showing ${first}–${last} of ${page.total}${page.more ? '+' : ''} ${kind === 'checks' ? 'check ' : ''}run${page.total === 1 ? '' : 's'}`}
        {page.waiting > 0 ? (
          <>
            {' · '}
            <button type="button" className="linklike needs" onClick={onWaiting}>
              {page.waiting} waiting for a person
            </button>
          </>
        ) : null}
      </p>
      {kind === 'work' && c.total > 0 ? (
        <div className="check-group" aria-label="check runs">
          <span>
            <strong>
              {c.total} check run{c.total === 1 ? '' : 's'}
            </strong>{' '}
            {c.failed > 0 ? <span className="bad-text">({c.failed} failed)</span> : null}
          </span>
          {c.latest === null ? null : (
            <span className="muted small">
              latest: <Link to={`/runs/${encodeURIComponent(c.latest.id)}`}>{c.latest.title}</Link>{' '}
              <Pill value={c.latest.status} /> <Ago iso={c.latest.createdAt} />
            </span>
          )}
          <button type="button" className="linklike" onClick={() => onKind('checks')}>
            Show check runs
          </button>
        </div>
      ) : null}
      {kind === 'checks' ? (
        <div className="check-group">
          <strong>Check runs</strong>
          <span className="muted small">the runs `pulser check` started</span>
          <button type="button" className="linklike" onClick={() => onKind('work')}>
            ← Back to the other runs
          </button>
        </div>
      ) : null}
    </div>
  );
}
