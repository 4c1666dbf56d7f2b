// Run detail: steps with state, attempts and retries, actions by role, a live log that follows.
import { useEffect, useRef, useState } from 'react';
import { can, post } from '../api';
import { useLive, useRefreshOn } from '../live';
import type { LogLine, Run, RunStep } from '../types';
import { Action, Empty, ErrorBox, Link, Pill, useApi } from '../ui';

function stepPath(step: RunStep, action: string): string {
  return `/steps/${step.id.split('/').map(encodeURIComponent).join('/')}/${action}`;
}

function StepActions({ step, reload }: { step: RunStep; reload: () => void }) {
  const act =
    (action: string, body: unknown = {}) =>
    async () => {
      await post(stepPath(step, action), body);
      reload();
    };
  const s = step.state;
  return (
    <div className="actions">
      {can('run.retry') && ['failed', 'timed_out', 'cancelled'].includes(s) ? (
        <Action label="Retry" run={act('retry')} />
      ) : null}
      {can('run.cancel') && ['queued', 'leased', 'running', 'awaiting_approval'].includes(s) ? (
        <Action label="Cancel" kind="danger" run={act('cancel')} confirm="Cancel this step?" />
      ) : null}
      {can('step.approve') && s === 'awaiting_approval' ? (
        <Action label="Approve" kind="primary" run={act('approve')} />
      ) : null}
      {can('step.reject') && s === 'awaiting_approval' ? (
        <Action label="Reject" kind="danger" run={act('reject')} />
      ) : null}
      {can('step.resolve') && s === 'quarantined' ? (
        <>
          <Action label="Retry from quarantine" run={act('resolve', { action: 'retry' })} />
          <Action label="Skip" run={act('resolve', { action: 'skip' })} />
          <Action
            label="Abort"
            kind="danger"
            run={act('resolve', { action: 'abort' })}
            confirm="Abort the run?"
          />
        </>
      ) : null}
    </div>
  );
}

function LogViewer({ runId, steps }: { runId: string; steps: ReadonlyArray<RunStep> }) {
  const initial = useApi<{ lines: LogLine[] }>(`/runs/${encodeURIComponent(runId)}/logs`);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (initial.data !== null) setLines(initial.data.lines);
  }, [initial.data]);
  const ids = new Set([runId, ...steps.map((s) => s.id)]);
  useLive(
    (e) => {
      if (!e.type.endsWith('.log') && !e.type.endsWith('.output')) return;
      const d = e.data as {
        runId?: string;
        stepId?: string;
        stream?: LogLine['stream'];
        text?: string;
        line?: string;
      };
      if (!(d.runId === runId || ids.has(e.subject ?? '') || ids.has(d.stepId ?? ''))) return;
      const text = d.text ?? d.line ?? '';
      setLines((ls) =>
        ls.some((l) => l.seq === e.seq)
          ? ls
          : [
              ...ls,
              {
                seq: e.seq,
                ts: e.ts,
                stepId: d.stepId ?? e.subject ?? '',
                stream: d.stream ?? 'stdout',
                text,
              },
            ],
      );
    },
    [runId, steps.map((s) => s.id).join()],
  );
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  return (
    <div className="log">
      <div className="log-head">
        <h2>Log</h2>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />{' '}
          Follow output
        </label>
      </div>
      <ErrorBox error={initial.error} />
      <pre ref={box} className="log-box" tabIndex={0} aria-label="run log" aria-live="polite">
        {lines.length === 0 ? <span className="muted">No output yet.</span> : null}
        {lines.map((l) => (
          <div key={l.seq} className={`line ${l.stream}`}>
            <span className="muted">{l.stepId.split('/').pop()}</span> {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}

/** One run. */
export function RunPage({ id }: { id: string }) {
  const refresh = useRefreshOn(['run.', 'step.']);
  const run = useApi<{ run: Run }>(`/runs/${encodeURIComponent(id)}`, refresh);
  const r = run.data?.run;
  return (
    <section aria-labelledby="run-h">
      <p>
        <Link to="/runs">← Runs</Link>
      </p>
      <ErrorBox error={run.error} />
      {r === undefined ? (
        run.error === null ? (
          <p className="muted">Loading run…</p>
        ) : null
      ) : (
        <>
          <h1 id="run-h">
            {r.title} <Pill value={r.status} />
          </h1>
          <div className="muted">
            {r.target} · lane {r.lane} · session {r.sessionId}
          </div>
          {can('run.cancel') && ['queued', 'running', 'awaiting_approval'].includes(r.status) ? (
            <Action
              label="Cancel run"
              kind="danger"
              confirm="Cancel the whole run?"
              run={async () => {
                await post(`/runs/${encodeURIComponent(r.id)}/cancel`);
                run.reload();
              }}
            />
          ) : null}
          <h2>Steps</h2>
          {(r.steps ?? []).length === 0 ? <Empty title="This run has no steps" /> : null}
          <ol className="steps">
            {(r.steps ?? []).map((s) => (
              <li key={s.id} className="step" data-state={s.state}>
                <div className="step-head">
                  <span className="step-title">{s.title}</span> <Pill value={s.state} />
                  <span className="muted small">
                    attempts {s.attempts} · retries {s.retries}
                    {s.lane === undefined ? '' : ` · lane ${s.lane}`}
                  </span>
                </div>
                {s.error ? <div className="step-error">{s.error}</div> : null}
                <StepActions step={s} reload={run.reload} />
              </li>
            ))}
          </ol>
          <LogViewer runId={r.id} steps={r.steps ?? []} />
        </>
      )}
    </section>
  );
}
