// One task's history across runs, and the audit page: the ledger's events, newest first,
// filtered by type, actor and time, a page at a time.
import { useEffect, useMemo, useState } from 'react';
import { useRefreshOn } from '../live';
import type { AuditEvent, AuditPage, TaskHistory } from '../types';
import { Ago, Clock, Empty, ErrorBox, Link, Pill, useApi } from '../ui';

/** An event's data in one line (strings already made visible by the API client). */
function summary(data: unknown): string {
  if (data === null || data === undefined) return '';
  const text = JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function EventRow({ e }: { e: AuditEvent }) {
  return (
    <tr>
      <td className="mono small">{e.seq}</td>
      <td>
        <time dateTime={e.ts} title={new Date(e.ts).toLocaleString()}>
          {new Date(e.ts).toLocaleString()}
        </time>
      </td>
      <td>
        <span className="mono small">{e.type}</span>
        {e.subject ? <div className="muted small mono">{e.subject}</div> : null}
        <div className="small event-data">{summary(e.data)}</div>
      </td>
      <td>{e.actor}</td>
    </tr>
  );
}

function EventsTable({ events, label }: { events: ReadonlyArray<AuditEvent>; label: string }) {
  return (
    <div className="table-wrap">
      <table className="events-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <EventRow key={e.seq} e={e} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The history of one task across runs. */
export function TaskHistoryPage({ planId, taskId }: { planId: string; taskId: string }) {
  const refresh = useRefreshOn(['run.', 'step.', 'task.', 'plan.']);
  const got = useApi<TaskHistory>(
    `/plans/${encodeURIComponent(planId)}/tasks/${taskId.split('/').map(encodeURIComponent).join('/')}/history`,
    refresh,
  );
  const h = got.data;
  return (
    <section aria-labelledby="task-h">
      <p>
        <Link to={`/plans/${encodeURIComponent(planId)}`}>← {h?.planTitle ?? 'Plan'}</Link>
      </p>
      {h === null ? (
        got.error === null ? (
          <p className="muted">Loading the task…</p>
        ) : (
          <NotFound what="task" error={got.error} />
        )
      ) : (
        <>
          <h1 id="task-h">
            {h.title} <Pill value={h.status} />
          </h1>
          <p className="muted small mono">
            {h.planId}:{h.id}
          </p>
          <h2>Runs of its steps ({h.executions.length})</h2>
          {h.executions.length === 0 ? (
            <Empty title="Its steps never ran">
              A run of this task, its phase or its plan lists its steps here.
            </Empty>
          ) : (
            <div className="table-wrap">
              <table className="runs-table" aria-label="executions of the task's steps">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Step</th>
                    <th scope="col">Status</th>
                    <th scope="col">Took</th>
                    <th scope="col" className="hide-narrow">
                      Requested by
                    </th>
                    <th scope="col" className="hide-narrow">
                      Created
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {h.executions.map((x) => (
                    <tr key={x.step.id}>
                      <td>
                        <Link to={`/runs/${encodeURIComponent(x.run.id)}`}>{x.run.title}</Link>{' '}
                        <Pill value={x.run.status} />
                        <div className="muted small mono">{x.run.id}</div>
                      </td>
                      <td>
                        {x.step.title}
                        <div className="muted small">
                          {x.step.attempts} attempt{x.step.attempts === 1 ? '' : 's'}
                          {x.step.exitCode === null ? '' : ` · exit ${x.step.exitCode}`}
                        </div>
                        {x.step.error ? <div className="step-error">{x.step.error}</div> : null}
                      </td>
                      <td>
                        <Pill value={x.step.state} />
                      </td>
                      <td>
                        {x.step.startedAt === null ? (
                          <span className="muted">—</span>
                        ) : x.step.state === 'running' ? (
                          <Clock from={x.step.startedAt} to={null} />
                        ) : x.step.finishedAt === null ? (
                          <span className="muted">{x.step.state.replace('_', ' ')}</span>
                        ) : (
                          <Clock from={x.step.startedAt} to={x.step.finishedAt} />
                        )}
                      </td>
                      <td className="hide-narrow">{x.run.requestedBy}</td>
                      <td className="hide-narrow">
                        <Ago iso={x.run.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>Recorded about it ({h.events.length})</h2>
          {h.events.length === 0 ? (
            <Empty title="Nothing recorded yet">
              Completions, claims, progress and status changes written to the plan appear here.
            </Empty>
          ) : (
            <EventsTable events={[...h.events].reverse()} label="events about the task" />
          )}
        </>
      )}
    </section>
  );
}

interface AuditFilters {
  type: string;
  actor: string;
  since: string;
  until: string;
}

function readAudit(): AuditFilters & { before: string } {
  const p = new URLSearchParams(location.search);
  return {
    type: p.get('type') ?? '',
    actor: p.get('actor') ?? '',
    since: p.get('since') ?? '',
    until: p.get('until') ?? '',
    before: p.get('before') ?? '',
  };
}

/** A `datetime-local` value as an ISO time (the browser's zone), or ''. */
function iso(local: string): string {
  if (local === '') return '';
  const t = Date.parse(local);
  return Number.isFinite(t) ? new Date(t).toISOString() : '';
}

/** The audit page. */
export function AuditPage() {
  const init = useMemo(readAudit, []);
  const [f, setF] = useState<AuditFilters>(init);
  const [typed, setTyped] = useState({ type: init.type, actor: init.actor });
  // Cursors of the pages seen: back returns to the newer page.
  const [cursors, setCursors] = useState<string[]>(init.before === '' ? [] : [init.before]);
  useEffect(() => {
    const t = setTimeout(() => {
      if (typed.type !== f.type || typed.actor !== f.actor) {
        setF((x) => ({ ...x, ...typed }));
        setCursors([]);
      }
    }, 300);
    return () => clearTimeout(t);
  }, [typed]);
  const before = cursors.at(-1) ?? '';
  const qs = new URLSearchParams();
  if (f.type.trim()) qs.set('type', f.type.trim());
  if (f.actor.trim()) qs.set('actor', f.actor.trim());
  if (f.since) qs.set('since', f.since);
  if (f.until) qs.set('until', f.until);
  if (before) qs.set('before', before);
  const q = qs.toString();
  useEffect(() => {
    history.replaceState(null, '', `/audit${q ? `?${q}` : ''}`);
  }, [q]);
  const api = new URLSearchParams(qs);
  if (f.since) api.set('since', iso(f.since));
  if (f.until) api.set('until', iso(f.until));
  const got = useApi<AuditPage>(`/audit?${api.toString()}`);
  const page = got.data;
  const set = (patch: Partial<AuditFilters>) => {
    setF((x) => ({ ...x, ...patch }));
    setCursors([]);
  };
  return (
    <section aria-labelledby="audit-h">
      <h1 id="audit-h">Audit</h1>
      <p className="muted lead">
        The ledger’s events, newest first: who did what and when. Steps’ output is left out unless
        you ask for <code>step.output</code>.
      </p>
      <div className="filters" role="search" aria-label="filter events">
        <label>
          Event type
          <input
            list="event-types"
            placeholder="e.g. step.skipped or trust."
            value={typed.type}
            onChange={(e) => setTyped((x) => ({ ...x, type: e.target.value }))}
          />
          <datalist id="event-types">
            {[
              'run.',
              'step.',
              'step.skipped',
              'step.approved',
              'step.rejected',
              'trust.',
              'plan.',
              'task.',
              'gate.',
              'criterion.',
              'auth.',
            ].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </label>
        <label>
          Actor
          <input
            placeholder="e.g. user:ana"
            value={typed.actor}
            onChange={(e) => setTyped((x) => ({ ...x, actor: e.target.value }))}
          />
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={f.since}
            onChange={(e) => set({ since: e.target.value })}
          />
        </label>
        <label>
          To
          <input
            type="datetime-local"
            value={f.until}
            onChange={(e) => set({ until: e.target.value })}
          />
        </label>
      </div>
      <ErrorBox error={got.error} />
      {page === null ? (
        got.error === null ? (
          <p className="muted">Loading events…</p>
        ) : null
      ) : page.events.length === 0 ? (
        <Empty title="No event matches these filters" />
      ) : (
        <>
          <p className="muted small" role="status">
            {page.events.length} event{page.events.length === 1 ? '' : 's'} shown, from #
            {page.events[0]!.seq} back to #{page.events.at(-1)!.seq}, of {page.total} in the ledger
          </p>
          <EventsTable events={page.events} label="ledger events" />
        </>
      )}
      <nav className="pager" aria-label="pages of events">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          ← Newer
        </button>
        <button
          type="button"
          disabled={page === null || page.before === null}
          onClick={() => page?.before != null && setCursors((c) => [...c, String(page.before)])}
        >
          Older →
        </button>
      </nav>
    </section>
  );
}

/** A page for an unknown address or an ID that names nothing. */
export function NotFound({
  what,
  error,
}: {
  what: string;
  error?: Parameters<typeof ErrorBox>[0]['error'];
}) {
  const notFound = error === undefined || error === null || error.status === 404;
  if (!notFound) return <ErrorBox error={error} />;
  return (
    <section className="not-found" aria-labelledby="nf-h">
      <h1 id="nf-h">Not found</h1>
      <p>
        There is no {what} at this address
        {error?.message ? <> ({error.message})</> : null}.
      </p>
      <p>
        <Link to="/plans">Plans</Link> · <Link to="/runs">Runs</Link> ·{' '}
        <Link to="/inbox">Inbox</Link> · <Link to="/audit">Audit</Link>
      </p>
    </section>
  );
}
