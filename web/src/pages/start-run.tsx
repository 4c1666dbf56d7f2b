// Start a run: pick a plan, phase or task that holds commands, a lane and a session.
import { useMemo, useState } from 'react';
import { ApiError, post } from '../api';
import type { Run, RunSession, RunTarget } from '../types';
import { Empty, ErrorBox, Link, navigate, useApi } from '../ui';

const NEW_SESSION = '__new__';

function optionLabel(t: RunTarget): string {
  const kind = t.kind === 'plan' ? 'Whole plan' : t.kind === 'phase' ? 'Phase' : 'Task';
  const steps = `${t.steps} step${t.steps === 1 ? '' : 's'}`;
  return t.kind === 'plan' ? `${kind} (${steps})` : `${kind}: ${t.title} (${steps})`;
}

/** The "start a run" form; `initial` preselects a target ref. */
export function StartRun({
  sessions,
  lanes,
  initial,
  onClose,
}: {
  sessions: ReadonlyArray<RunSession>;
  lanes: ReadonlyArray<string>;
  initial: string;
  onClose: () => void;
}) {
  const targets = useApi<{ targets: RunTarget[] }>('/targets');
  const plans = useApi<{ plans: Array<{ id: string; title: string }> }>('/plans');
  const [target, setTarget] = useState(initial);
  const [lane, setLane] = useState('');
  const [session, setSession] = useState('');
  const [sessionTitle, setSessionTitle] = useState('');
  const [intent, setIntent] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const byPlan = useMemo(() => {
    const m = new Map<string, RunTarget[]>();
    for (const t of targets.data?.targets ?? []) m.set(t.planId, [...(m.get(t.planId) ?? []), t]);
    return m;
  }, [targets.data]);
  const titleOf = (id: string) => plans.data?.plans.find((p) => p.id === id)?.title ?? id;
  const chosen = targets.data?.targets.find((t) => t.ref === target);
  if (targets.error !== null) return <ErrorBox error={targets.error} />;
  if (targets.data !== null && targets.data.targets.length === 0) {
    return (
      <Empty title="Nothing to run yet">
        Runs execute the commands of a plan: its <code>```sh</code> code blocks and listed commands.{' '}
        <Link to="/plans">Import a plan</Link> that has some, then start a run here.
      </Empty>
    );
  }
  const submit = () => {
    setBusy(true);
    setError(null);
    post<{ run: Run }>('/runs', {
      target,
      ...(lane.trim() === '' ? {} : { lane: lane.trim() }),
      ...(session === NEW_SESSION
        ? { newSession: sessionTitle.trim() || 'New session' }
        : session === ''
          ? {}
          : { session }),
      ...(intent.trim() === '' ? {} : { intent: intent.trim() }),
    }).then(
      (r) => navigate(`/runs/${encodeURIComponent(r.run.id)}`),
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof ApiError ? e : new ApiError(0, 'E_CLIENT', String(e)));
      },
    );
  };
  return (
    <form
      className="panel start-run"
      aria-labelledby="start-h"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2 id="start-h">Start a run</h2>
      <div className="form-grid">
        <label className="wide">
          Target
          <select
            value={target}
            required
            onChange={(e) => setTarget(e.target.value)}
            aria-describedby="target-help"
          >
            <option value="">Choose a plan, phase or task…</option>
            {[...byPlan.entries()].map(([planId, list]) => (
              <optgroup key={planId} label={titleOf(planId)}>
                {list.map((t) => (
                  <option key={t.ref} value={t.ref}>
                    {optionLabel(t)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <span id="target-help" className="help">
            {chosen?.unmet
              ? `Depends on ${chosen.unmet}, which is not done: run the phase that holds both.`
              : 'Commands nobody trusted yet wait for an approver before they run.'}
          </span>
        </label>
        <label>
          Lane
          <input
            list="known-lanes"
            placeholder="main"
            value={lane}
            onChange={(e) => setLane(e.target.value)}
          />
          <datalist id="known-lanes">
            {lanes.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
        </label>
        <label>
          Session
          <select value={session} onChange={(e) => setSession(e.target.value)}>
            <option value="">Current session</option>
            {sessions
              .filter((s) => !s.archived)
              .map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                </option>
              ))}
            <option value={NEW_SESSION}>New session…</option>
          </select>
        </label>
        {session === NEW_SESSION ? (
          <label>
            Session title
            <input
              value={sessionTitle}
              placeholder="Release week"
              onChange={(e) => setSessionTitle(e.target.value)}
            />
          </label>
        ) : null}
        <label className="wide">
          <span>
            Intent <span className="muted">(optional)</span>
          </span>
          <input
            value={intent}
            placeholder="Why this run: shown in the list and searchable"
            onChange={(e) => setIntent(e.target.value)}
          />
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || target === ''}>
          {busy ? 'Starting…' : 'Start run'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
