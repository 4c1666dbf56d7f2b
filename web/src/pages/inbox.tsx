// Inbox: everything waiting for a person, resolvable here.
import { can, post } from '../api';
import { useRefreshOn } from '../live';
import type { Inbox } from '../types';
import { Action, Empty, ErrorBox, Link, useApi } from '../ui';

function stepUrl(stepId: string, action: string): string {
  return `/steps/${stepId.split('/').map(encodeURIComponent).join('/')}/${action}`;
}

/** The inbox page. */
export function InboxPage() {
  const refresh = useRefreshOn(['run.', 'step.', 'trust.', 'gate.', 'plan.']);
  const inbox = useApi<Inbox>('/inbox', refresh);
  const d = inbox.data;
  const count =
    d === null
      ? 0
      : d.approvals.length + d.quarantined.length + d.failingGates.length + d.untrusted.length;
  const done = () => inbox.reload();
  return (
    <section aria-labelledby="inbox-h">
      <h1 id="inbox-h">Inbox</h1>
      <ErrorBox error={inbox.error} />
      {d !== null && count === 0 ? (
        <Empty title="Nothing is waiting for you">
          Approvals, quarantined steps, failing gates and untrusted plan changes show up here.
        </Empty>
      ) : null}
      {d === null || d.approvals.length === 0 ? null : (
        <>
          <h2>Approvals</h2>
          <ul className="inbox">
            {d.approvals.map((a) => (
              <li key={a.stepId}>
                <Link to={`/runs/${encodeURIComponent(a.runId)}`}>{a.title}</Link>
                {a.untrusted ? <span className="pill s-failed">untrusted command</span> : null}
                {can('step.approve') ? (
                  <span className="actions">
                    <Action
                      label="Approve"
                      kind="primary"
                      run={async () => {
                        await post(stepUrl(a.stepId, 'approve'));
                        done();
                      }}
                    />
                    <Action
                      label="Reject"
                      kind="danger"
                      run={async () => {
                        await post(stepUrl(a.stepId, 'reject'));
                        done();
                      }}
                    />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {d === null || d.quarantined.length === 0 ? null : (
        <>
          <h2>Quarantined steps</h2>
          <ul className="inbox">
            {d.quarantined.map((q) => (
              <li key={q.stepId}>
                <Link to={`/runs/${encodeURIComponent(q.runId)}`}>{q.title}</Link>{' '}
                <span className="muted">{q.error}</span>
                {can('step.resolve') ? (
                  <span className="actions">
                    <Action
                      label="Retry"
                      run={async () => {
                        await post(stepUrl(q.stepId, 'resolve'), { action: 'retry' });
                        done();
                      }}
                    />
                    <Action
                      label="Skip"
                      run={async () => {
                        await post(stepUrl(q.stepId, 'resolve'), { action: 'skip' });
                        done();
                      }}
                    />
                    <Action
                      label="Abort"
                      kind="danger"
                      run={async () => {
                        await post(stepUrl(q.stepId, 'resolve'), { action: 'abort' });
                        done();
                      }}
                    />
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {d === null || d.failingGates.length === 0 ? null : (
        <>
          <h2>Failing gates</h2>
          <ul className="inbox">
            {d.failingGates.map((g) => (
              <li key={`${g.planId}/${g.phaseId}`}>
                <Link to={`/plans/${encodeURIComponent(g.planId)}`}>{g.title}</Link>{' '}
                <span className="muted">missing: {g.missing.join('; ')}</span>
                {can('gate.signoff') ? (
                  <Action
                    label="Sign off"
                    run={async () => {
                      await post(
                        `/gates/${encodeURIComponent(g.planId)}/${g.phaseId.split('/').map(encodeURIComponent).join('/')}/signoff`,
                      );
                      done();
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      {d === null || d.untrusted.length === 0 ? null : (
        <>
          <h2>Untrusted plan changes</h2>
          <ul className="inbox">
            {d.untrusted.map((u) => (
              <li key={u.planId}>
                <Link to={`/plans/${encodeURIComponent(u.planId)}`}>{u.path}</Link>{' '}
                <span className="muted">
                  {u.steps} commands, sha256 {u.sha256.slice(0, 12)}
                </span>
                {can('trust.grant') ? (
                  <Action
                    label="Trust"
                    confirm={`Trust the commands of ${u.path} at this exact content?`}
                    run={async () => {
                      await post('/trust', { planId: u.planId, sha256: u.sha256 });
                      done();
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
