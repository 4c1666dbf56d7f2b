// Run detail: steps with state, attempts and retries, actions by role, a live log that follows.
import { can, post, workspacePath } from '../api';
import { useRefreshOn } from '../live';
import type { RunDetail, RunSession, RunStep, RunTimeline } from '../types';
import { Action, Ago, Clock, Empty, Link, Pill, bytes, useApi } from '../ui';
import { NotFound } from './history';
import { RunLog } from './run-log';
import { RunTimelineView } from './run-timeline';

const ENDED = ['succeeded', 'skipped', 'failed', 'cancelled'];

/** The API path of an action on a step. */
export function stepPath(stepId: string, action: string): string {
  return `/steps/${stepId.split('/').map(encodeURIComponent).join('/')}/${action}`;
}

function Why({ step, titles }: { step: RunStep; titles: ReadonlyMap<string, string> }) {
  if (step.state === 'awaiting_approval') {
    return (
      <p className="why">
        {step.approvalReason === 'untrusted'
          ? 'Waiting: nobody trusted this version of the command. An approver approves this one execution, or trusts the plan (Inbox).'
          : 'Waiting: this step requires an approval before each execution.'}
        {can('step.approve') ? '' : ' You can see it; an approver decides.'}
      </p>
    );
  }
  if (step.state === 'quarantined') {
    return (
      <p className="why">
        Quarantined after {step.attempts} attempt{step.attempts === 1 ? '' : 's'}: retry it, skip it
        (the steps after it go on), or abort it.
        {can('step.resolve') ? '' : ' An approver decides.'}
      </p>
    );
  }
  if (step.state === 'queued' && step.blocked > 0) {
    return (
      <p className="why muted">Waits for {step.after.map((a) => titles.get(a) ?? a).join(', ')}.</p>
    );
  }
  if (step.state === 'queued' && step.retries > 0 && step.runAt > Date.now()) {
    return (
      <p className="why muted">
        Automatic retry {step.retries} of {step.maxRetries} at{' '}
        {new Date(step.runAt).toLocaleTimeString()}.
      </p>
    );
  }
  return null;
}

function StepActions({ step, reload }: { step: RunStep; reload: () => void }) {
  const act =
    (action: string, body: unknown = {}) =>
    () =>
      post(stepPath(step.id, action), body);
  const s = step.state;
  const buttons = [
    can('step.approve') && s === 'awaiting_approval' ? (
      <Action key="approve" label="Approve" kind="primary" run={act('approve')} onDone={reload} />
    ) : null,
    can('step.reject') && s === 'awaiting_approval' ? (
      <Action
        key="reject"
        label="Reject"
        kind="danger"
        confirm="Reject this step? Its run fails."
        run={act('reject')}
        onDone={reload}
      />
    ) : null,
    can('step.resolve') && s === 'quarantined' ? (
      <Action
        key="r-retry"
        label="Retry"
        kind="primary"
        run={act('resolve', { action: 'retry' })}
        onDone={reload}
      />
    ) : null,
    can('step.resolve') && s === 'quarantined' ? (
      <Action
        key="skip"
        label="Skip"
        confirm="Skip this step? Its work is not done; the run ends “skipped”, not “succeeded”."
        reason="Why may it be skipped? (recorded with your name)"
        confirmLabel="Skip it"
        run={(reason) => post(stepPath(step.id, 'resolve'), { action: 'skip', reason })}
        onDone={reload}
      />
    ) : null,
    can('step.resolve') && s === 'quarantined' ? (
      <Action
        key="abort"
        label="Abort"
        kind="danger"
        confirm="Abort this step? Its run fails."
        run={act('resolve', { action: 'abort' })}
        onDone={reload}
      />
    ) : null,
    can('run.retry') && ['failed', 'timed_out', 'cancelled'].includes(s) ? (
      <Action key="retry" label="Retry" run={act('retry')} onDone={reload} />
    ) : null,
    can('run.retry') && !can('step.resolve') && s === 'quarantined' ? (
      <Action key="retry-q" label="Retry" run={act('retry')} onDone={reload} />
    ) : null,
    can('run.cancel') && ['queued', 'leased', 'running', 'awaiting_approval'].includes(s) ? (
      <Action
        key="cancel"
        label="Cancel"
        kind="danger"
        confirm="Cancel this step?"
        run={act('cancel')}
        onDone={reload}
      />
    ) : null,
  ].filter((b) => b !== null);
  return buttons.length === 0 ? null : <div className="actions">{buttons}</div>;
}

function StepCard({
  step,
  reload,
  titles,
}: {
  step: RunStep;
  reload: () => void;
  titles: ReadonlyMap<string, string>;
}) {
  const facts = [
    `attempt${step.attempts === 1 ? '' : 's'} ${step.attempts}`,
    `retries ${step.retries}/${step.maxRetries}`,
    `lane ${step.lane}`,
    step.tool,
    step.exitCode === null ? null : `exit ${step.exitCode}`,
    step.signal,
  ].filter((x) => x !== null && x !== '');
  // Only an execution's own time: a step waiting for a person has no running clock.
  const timed = step.startedAt !== null && (step.finishedAt !== null || step.state === 'running');
  const waiting = step.state === 'awaiting_approval';
  return (
    <li
      id={`step-${step.ord}`}
      className={`step st-${step.state}`}
      data-state={step.state}
      aria-label={`step ${step.ord}: ${step.title}`}
    >
      <div className="step-head">
        <span className="ord" aria-hidden="true">
          {step.ord}
        </span>
        <span className="step-title">{step.title}</span>
        <Pill value={step.state} />
        <span className="muted small facts">
          {facts.join(' · ')}
          {timed ? (
            <>
              {' · '}
              <Clock from={step.startedAt} to={step.state === 'running' ? null : step.finishedAt} />
            </>
          ) : null}
        </span>
      </div>
      <Why step={step} titles={titles} />
      {step.error ? <div className="step-error">{step.error}</div> : null}
      <details className="command" open={waiting}>
        <summary>Command</summary>
        <pre>{step.spec.input}</pre>
      </details>
      <StepActions step={step} reload={reload} />
    </li>
  );
}

/** One run. */
export function RunPage({ id }: { id: string }) {
  const refresh = useRefreshOn(['run.', 'step.', 'trust.']);
  const run = useApi<{ run: RunDetail }>(`/runs/${encodeURIComponent(id)}`, refresh);
  const timeline = useApi<RunTimeline>(`/runs/${encodeURIComponent(id)}/timeline`, refresh);
  const sessions = useApi<{ sessions: RunSession[] }>('/sessions?archived=true');
  const r = run.data?.run;
  if (r === undefined) {
    return (
      <section>
        <p>
          <Link to="/runs">← Runs</Link>
        </p>
        {run.error === null ? (
          <p className="muted">Loading run…</p>
        ) : (
          <NotFound what="run" error={run.error} />
        )}
      </section>
    );
  }
  const c = r.counts;
  const people = c.awaiting_approval + c.quarantined;
  const ended = ENDED.includes(r.status);
  const target = r.target;
  return (
    <section aria-labelledby="run-h">
      <p>
        <Link to="/runs">← Runs</Link>
      </p>
      <div className="page-head">
        <h1 id="run-h">
          {r.title} <Pill value={r.status} />
        </h1>
        <div className="actions">
          {can('run.retry') && (r.status === 'failed' || r.status === 'cancelled') ? (
            <Action
              label="Retry run"
              kind="primary"
              run={() => post(`/runs/${encodeURIComponent(r.id)}/retry`)}
              onDone={run.reload}
            />
          ) : null}
          {can('run.cancel') && !ended ? (
            <Action
              label="Cancel run"
              kind="danger"
              confirm="Cancel every step that has not ended?"
              run={() => post(`/runs/${encodeURIComponent(r.id)}/cancel`)}
              onDone={run.reload}
            />
          ) : null}
        </div>
      </div>
      <dl className="meta">
        <div>
          <dt>ID</dt>
          <dd className="mono">{r.id}</dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd>
            {target === null ? (
              'ad-hoc steps'
            ) : (
              <Link to={`/plans/${encodeURIComponent(target.planId)}`}>
                {target.kind === 'plan' ? target.planId : `${target.planId}:${target.nodeId}`}
              </Link>
            )}
          </dd>
        </div>
        <div>
          <dt>Lane</dt>
          <dd>{r.lane}</dd>
        </div>
        <div>
          <dt>Session</dt>
          <dd>
            <Link to={`/runs?session=${encodeURIComponent(r.sessionId)}&archived=true`}>
              {sessions.data?.sessions.find((x) => x.id === r.sessionId)?.title ?? r.sessionId}
            </Link>
          </dd>
        </div>
        <div>
          <dt>Requested by</dt>
          <dd>{r.requestedBy}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <Ago iso={r.createdAt} />
          </dd>
        </div>
        <div>
          <dt>{ended ? 'Took' : r.status === 'waiting' ? 'Waiting' : 'Running for'}</dt>
          <dd>
            {r.status === 'waiting' ? (
              'for a person'
            ) : r.status === 'queued' ? (
              'not started'
            ) : (
              <Clock from={r.startedAt ?? r.createdAt} to={r.finishedAt} />
            )}
          </dd>
        </div>
      </dl>
      {r.intent ? <p className="intent">{r.intent}</p> : null}
      {people > 0 ? (
        <div className="callout" role="status">
          <strong>
            {people} step{people === 1 ? '' : 's'} wait{people === 1 ? 's' : ''} for a person.
          </strong>{' '}
          {can('step.approve')
            ? 'Decide below, or in the Inbox (where you can also trust the whole plan).'
            : 'An approver decides; you will see the result here live.'}{' '}
          <Link to="/inbox">Open the Inbox</Link>
        </div>
      ) : null}
      <h2>Steps</h2>
      {r.steps.length === 0 ? <Empty title="This run has no steps" /> : null}
      <ol className="steps">
        {r.steps.map((s) => (
          <StepCard
            key={s.id}
            step={s}
            reload={run.reload}
            titles={new Map(r.steps.map((x) => [x.id, `#${x.ord} ${x.title}`]))}
          />
        ))}
      </ol>
      {r.artifacts.length === 0 ? null : (
        <>
          <h2>Artifacts</h2>
          <ul className="artifacts">
            {r.artifacts.map((a) => (
              <li key={`${a.stepId}:${a.sha256}:${a.path}`}>
                <a href={workspacePath(`/artifacts/${a.sha256}`)}>{a.path}</a>{' '}
                <span className="muted small">
                  {bytes(a.bytes)} · sha256 <span className="mono">{a.sha256.slice(0, 12)}</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {timeline.data === null ? null : <RunTimelineView timeline={timeline.data} />}
      <RunLog runId={r.id} steps={r.steps} attempts={timeline.data?.attempts ?? []} />
    </section>
  );
}
