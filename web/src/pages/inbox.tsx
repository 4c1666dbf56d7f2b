// Inbox: everything waiting for a person (approvals, quarantine, untrusted plans, failing gates,
// agents' requests),
// resolvable here without a terminal.
import { useState } from 'react';
import { can, post } from '../api';
import type { ApprovalRequest, FailingGate, Inbox, InboxStep, PlanTrust } from '../types';
import { Action, Ago, Empty, ErrorBox, Link, Pill } from '../ui';
import { RunChecks, SignOff, gateWord } from './gates';
import { stepPath } from './run-detail';

function StepItem({
  step,
  done,
  selected,
  onSelect,
  sameCommandAs,
}: {
  step: InboxStep;
  done: () => void;
  selected?: boolean;
  onSelect?: (on: boolean) => void;
  /** The step shown above with the same command (the command is shown once). */
  sameCommandAs?: InboxStep;
}) {
  const act =
    (action: string, body: unknown = {}) =>
    () =>
      post(stepPath(step.id, action), body);
  const approval = step.state === 'awaiting_approval';
  return (
    <li className="inbox-item" aria-label={`${step.title} (${step.id})`}>
      <div className="item-head">
        {onSelect === undefined ? null : (
          <input
            type="checkbox"
            checked={selected === true}
            aria-label={`select ${step.title} (${step.id})`}
            onChange={(e) => onSelect(e.target.checked)}
          />
        )}
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
      {sameCommandAs === undefined ? (
        <pre className="command-inline" aria-label="command">
          {step.spec.input}
        </pre>
      ) : (
        <p className="muted small">
          Same command as {sameCommandAs.title} (<span className="mono">{sameCommandAs.id}</span>)
          above.
        </p>
      )}
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
          <Action
            label="Skip"
            confirm="Skip this step? Its work is not done; the run ends “skipped”, not “succeeded”."
            reason="Why may it be skipped? (recorded with your name)"
            confirmLabel="Skip it"
            run={(reason) => post(stepPath(step.id, 'resolve'), { action: 'skip', reason })}
            onDone={done}
          />
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
            run={() =>
              post('/trust', {
                planId: plan.planId,
                sha256: plan.sha256,
                commands: plan.commandsSha256,
              })
            }
            onDone={done}
          />
        </div>
      ) : null}
    </li>
  );
}

function GateItem({ gate, done }: { gate: FailingGate; done: () => void }) {
  const d = gate.decided;
  const planLink = `/plans/${encodeURIComponent(gate.planId)}`;
  return (
    <li className="inbox-item" aria-label={`gate of ${gate.title}`}>
      <div className="item-head">
        <Link to={planLink} className="step-title">
          {gate.title}
        </Link>
        <Pill value={gateWord(d?.current === false ? 'unchecked' : gate.status)} />
        <span className="muted small">
          in {gate.planTitle}
          {d === null ? null : (
            <>
              {' '}
              · decided {d.status} by {d.by} <Ago iso={d.at} />
              {d.current ? '' : ' for an earlier version of the plan'}
            </>
          )}
        </span>
      </div>
      {gate.blocking.length === 0 ? (
        <p className="muted small">The plan changed since: run the checks again.</p>
      ) : (
        <ul className="blockers">
          {gate.blocking.map((b) => (
            <li key={b.target}>
              <div className="item-head">
                <span>{b.text}</span> <Pill value={b.status} />
              </div>
              <div className="muted small">{b.reason}</div>
              {gate.blocking.findIndex((x) => x.action.command === b.action.command) ===
              gate.blocking.indexOf(b) ? (
                <code className="small">{b.action.command}</code>
              ) : null}
              {b.action.kind === 'signoff' ? (
                <div className="actions">
                  <SignOff planId={gate.planId} criterionId={b.target} onDone={done} />
                </div>
              ) : null}
              {b.action.kind === 'metric' ? (
                <div className="small">
                  <Link to={planLink}>Record a measured value on the plan page →</Link>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <RunChecks target={`${gate.planId}:${gate.phaseId}`} onDone={done} />
      </div>
    </li>
  );
}

function requestLink(r: ApprovalRequest): { to: string; label: string } {
  const s = r.subject;
  switch (s.kind) {
    case 'step':
      return { to: `/runs/${encodeURIComponent(s.runId)}`, label: 'Review the step' };
    case 'run':
      return { to: `/runs/${encodeURIComponent(s.id)}`, label: 'Review the run' };
    case 'node':
      return {
        to: `/plans/${encodeURIComponent(s.planId)}`,
        label: s.nodeKind === 'criterion' ? 'Open the plan to sign it off' : 'Open the plan',
      };
  }
}

function RequestItem({ request }: { request: ApprovalRequest }) {
  const link = requestLink(request);
  const subject =
    request.subject.kind === 'node'
      ? `${request.subject.planId}:${request.subject.id}`
      : request.subject.id;
  return (
    <li className="inbox-item" aria-label={`request about ${request.title}`}>
      <div className="item-head">
        <span className="step-title">{request.title}</span>
        <Pill value="requested" />
        <span className="muted small">
          by <strong>{request.requestedBy}</strong> <Ago iso={request.at} /> ·{' '}
          {request.subject.kind === 'node' ? request.subject.nodeKind : request.subject.kind}{' '}
          <span className="mono">{subject}</span>
        </span>
      </div>
      <blockquote className="reason">{request.reason}</blockquote>
      <Link to={link.to}>{link.label} →</Link>
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
      : d.approvals.length +
        d.quarantined.length +
        d.failingGates.length +
        d.untrusted.length +
        d.requests.length;
  const gates = d?.failingGates ?? [];
  const isPending = (g: FailingGate) =>
    g.decided?.current === false || g.status === 'pending' || g.status === 'unchecked';
  const failing = gates.filter((g) => !isPending(g));
  const pending = gates.filter(isPending);
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
        commands nobody trusted yet, failing gates and what agents ask for.
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
          <Approvals steps={d.approvals} done={reload} />
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
      {failing.length === 0 ? null : (
        <>
          {section('Failing gates', failing.length)}
          <ul className="inbox">
            {failing.map((g) => (
              <GateItem key={`${g.planId}/${g.phaseId}`} gate={g} done={reload} />
            ))}
          </ul>
        </>
      )}
      {d === null || d.requests.length === 0 ? null : (
        <>
          {section("Agents' requests", d.requests.length)}
          <ul className="inbox">
            {d.requests.map((r) => (
              <RequestItem key={r.seq} request={r} />
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
      {pending.length === 0 ? null : (
        <details className="pending-gates">
          <summary>
            <h2>
              Pending gates <span className="count">{pending.length}</span>
            </h2>
            <span className="muted small">
              not failing: waiting for checks to run again, a sign-off or a measured value
            </span>
          </summary>
          <ul className="inbox">
            {pending.map((g) => (
              <GateItem key={`${g.planId}/${g.phaseId}`} gate={g} done={reload} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

interface BulkResult {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** Approvals grouped by run, each selectable; the selected ones approved or rejected at once. */
function Approvals({ steps, done }: { steps: ReadonlyArray<InboxStep>; done: () => void }) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [failed, setFailed] = useState<ReadonlyArray<BulkResult>>([]);
  const live = new Set(steps.map((s) => s.id));
  const selected = [...chosen].filter((id) => live.has(id));
  const groups = new Map<string, InboxStep[]>();
  for (const s of steps) groups.set(s.runId, [...(groups.get(s.runId) ?? []), s]);
  const firstWith = new Map<string, InboxStep>();
  const bulk = can('step.approve') || can('step.reject');
  const toggle = (ids: ReadonlyArray<string>, on: boolean) =>
    setChosen((c) => {
      const next = new Set(c);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const send = (action: 'approve' | 'reject') => async () => {
    const r = await post<{ results: BulkResult[] }>('/steps/bulk', { action, ids: selected });
    setFailed(r.results.filter((x) => !x.ok));
    setChosen(new Set());
  };
  const n = selected.length;
  const word = `${n} step${n === 1 ? '' : 's'}`;
  return (
    <>
      {bulk ? (
        <div className="bulk-bar" role="group" aria-label="selected approvals">
          <label className="check">
            <input
              type="checkbox"
              checked={n === steps.length && n > 0}
              onChange={(e) =>
                toggle(
                  steps.map((s) => s.id),
                  e.target.checked,
                )
              }
            />
            Select all
          </label>
          <span className="muted small">{n} selected</span>
          {n > 0 && can('step.approve') ? (
            <Action
              label={`Approve ${word}`}
              kind="primary"
              confirm={`Approve ${word}? Each runs once.`}
              confirmLabel={`Yes, approve ${word}`}
              run={send('approve')}
              onDone={done}
            />
          ) : null}
          {n > 0 && can('step.reject') ? (
            <Action
              label={`Reject ${word}`}
              kind="danger"
              confirm={`Reject ${word}? Their runs fail.`}
              confirmLabel={`Yes, reject ${word}`}
              run={send('reject')}
              onDone={done}
            />
          ) : null}
        </div>
      ) : null}
      {failed.length === 0 ? null : (
        <div className="error" role="alert">
          <strong>Not decided:</strong>
          <ul>
            {failed.map((f) => (
              <li key={f.id}>
                <span className="mono">{f.id}</span>: {f.error}
              </li>
            ))}
          </ul>
        </div>
      )}
      {[...groups].map(([runId, list]) => (
        <div
          key={runId}
          className="inbox-group"
          role="group"
          aria-label={`approvals of ${list[0]!.runTitle}`}
        >
          <h3 className="group-head">
            <Link to={`/runs/${encodeURIComponent(runId)}`}>{list[0]!.runTitle}</Link>{' '}
            <span className="count">{list.length}</span>
          </h3>
          <ul className="inbox">
            {list.map((s) => {
              const same = firstWith.get(s.spec.input);
              if (same === undefined) firstWith.set(s.spec.input, s);
              return (
                <StepItem
                  key={s.id}
                  step={s}
                  done={done}
                  {...(bulk
                    ? { selected: chosen.has(s.id), onSelect: (on: boolean) => toggle([s.id], on) }
                    : {})}
                  {...(same === undefined ? {} : { sameCommandAs: same })}
                />
              );
            })}
          </ul>
        </div>
      ))}
    </>
  );
}
