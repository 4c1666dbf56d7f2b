// Inbox: everything waiting for a person (approvals, quarantine, untrusted plans, failing gates),
// resolvable here without a terminal.
import { can, post } from '../api';
import type { Inbox, InboxStep, PlanTrust } from '../types';
import { Action, Empty, ErrorBox, Link, Pill } from '../ui';
import { stepPath } from './run-detail';

function StepItem({ step, done }: { step: InboxStep; done: () => void }) {
  const act =
    (action: string, body: unknown = {}) =>
    () =>
      post(stepPath(step.id, action), body);
  const approval = step.state === 'awaiting_approval';
  return (
    <li className="inbox-item" aria-label={`${step.title} (${step.id})`}>
      <div className="item-head">
        <span className="step-title">{step.title}</span>
        {approval ? (
          <Pill
            value={step.approvalReason === 'untrusted' ? 'untrusted command' : 'approval required'}
          />
        ) : (
          <Pill value="quarantined" />
        )}
        <span className="muted small">
          in <Link to={`/runs/${encodeURIComponent(step.runId)}`}>{step.runTitle}</Link> ·{' '}
          <span className="mono">{step.id}</span>
          {approval ? '' : ` · ${step.attempts} attempt${step.attempts === 1 ? '' : 's'}`}
        </span>
      </div>
      {step.error && !approval ? <div className="step-error">{step.error}</div> : null}
      <pre className="command-inline" aria-label="command">
        {step.spec.input}
      </pre>
      {approval && can('step.approve') ? (
        <div className="actions">
          <Action label="Approve" kind="primary" run={act('approve')} onDone={done} />
          <Action
            label="Reject"
            kind="danger"
            confirm="Reject this step? Its run fails."
            run={act('reject')}
            onDone={done}
          />
        </div>
      ) : null}
      {!approval && can('step.resolve') ? (
        <div className="actions">
          <Action
            label="Retry"
            kind="primary"
            run={act('resolve', { action: 'retry' })}
            onDone={done}
          />
          <Action label="Skip" run={act('resolve', { action: 'skip' })} onDone={done} />
          <Action
            label="Abort"
            kind="danger"
            confirm="Abort this step? Its run fails."
            run={act('resolve', { action: 'abort' })}
            onDone={done}
          />
        </div>
      ) : null}
    </li>
  );
}

function PlanItem({ plan, done }: { plan: PlanTrust; done: () => void }) {
  const n = plan.executables.length;
  const changed = plan.executables.filter((e) => e.trust === 'changed').length;
  return (
    <li className="inbox-item" aria-label={`untrusted plan ${plan.path}`}>
      <div className="item-head">
        <Link to={`/plans/${encodeURIComponent(plan.planId)}`} className="step-title">
          {plan.path}
        </Link>
        <Pill value={changed > 0 ? 'changed' : 'untrusted'} />
        <span className="muted small">
          {n} command{n === 1 ? '' : 's'} not trusted
          {changed > 0 ? ` (${changed} changed since trusted)` : ''} · version{' '}
          <span className="mono">{plan.sha256.slice(0, 12)}</span>
        </span>
      </div>
      <details className="command">
        <summary>Review the commands</summary>
        <ul className="commands">
          {plan.executables.map((e) => (
            <li key={`${e.nodeId}:${e.digest}`}>
              <div className="small">
                {e.title} <Pill value={e.trust} />
              </div>
              <pre>{e.command}</pre>
            </li>
          ))}
        </ul>
      </details>
      {can('trust.grant') ? (
        <div className="actions">
          <Action
            label="Trust this version"
            kind="primary"
            confirm={`Let ${n} command${n === 1 ? '' : 's'} of ${plan.path} run as they are now?`}
            confirmLabel="Yes, trust"
            run={() => post('/trust', { planId: plan.planId, sha256: plan.sha256 })}
            onDone={done}
          />
        </div>
      ) : null}
    </li>
  );
}

/** The inbox page; `inbox` is loaded (and kept live) by the shell, which also shows its count. */
export function InboxPage({
  inbox,
  error,
  reload,
}: {
  inbox: Inbox | null;
  error: Parameters<typeof ErrorBox>[0]['error'];
  reload: () => void;
}) {
  const d = inbox;
  const count =
    d === null
      ? 0
      : d.approvals.length + d.quarantined.length + d.failingGates.length + d.untrusted.length;
  const section = (title: string, n: number) => (
    <h2>
      {title} <span className="count">{n}</span>
    </h2>
  );
  return (
    <section aria-labelledby="inbox-h">
      <h1 id="inbox-h">Inbox</h1>
      <p className="muted lead">
        Everything that waits for a person: steps to approve, quarantined steps, plans whose
        commands nobody trusted yet, and failing gates.
        {can('step.approve') ? '' : ' You can read them; an approver decides.'}
      </p>
      <ErrorBox error={error} />
      {d === null && error === null ? <p className="muted">Loading…</p> : null}
      {d !== null && count === 0 ? (
        <Empty title="Nothing is waiting for you">
          Approvals, quarantined steps, failing gates and untrusted plan changes show up here as
          they happen.
        </Empty>
      ) : null}
      {d === null || d.approvals.length === 0 ? null : (
        <>
          {section('Approvals', d.approvals.length)}
          <ul className="inbox">
            {d.approvals.map((s) => (
              <StepItem key={s.id} step={s} done={reload} />
            ))}
          </ul>
        </>
      )}
      {d === null || d.quarantined.length === 0 ? null : (
        <>
          {section('Quarantined steps', d.quarantined.length)}
          <ul className="inbox">
            {d.quarantined.map((s) => (
              <StepItem key={s.id} step={s} done={reload} />
            ))}
          </ul>
        </>
      )}
      {d === null || d.untrusted.length === 0 ? null : (
        <>
          {section('Untrusted plans', d.untrusted.length)}
          <ul className="inbox">
            {d.untrusted.map((p) => (
              <PlanItem key={p.planId} plan={p} done={reload} />
            ))}
          </ul>
        </>
      )}
      {d === null || d.failingGates.length === 0 ? null : (
        <>
          {section('Failing gates', d.failingGates.length)}
          <ul className="inbox">
            {d.failingGates.map((g) => (
              <li key={`${g.planId}/${g.phaseId}`} className="inbox-item">
                <Link to={`/plans/${encodeURIComponent(g.planId)}`}>{g.title}</Link>{' '}
                <span className="muted">missing: {g.missing.join('; ')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
