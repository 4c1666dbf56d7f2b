// Gates and metrics of a plan, from the ledger: each phase's gate with its verdict, criteria
// with their verifier, verdict and evidence, a sign-off for approvers, "Run checks" for
// operators, and measured values against targets with "Record value".
import { useId, useState } from 'react';
import { can, post } from '../api';
import type { CriterionView, GateView, MetricView, VerdictStatus, VerifierSpec } from '../types';
import { Action, Ago, Pill } from '../ui';

const GATE_WORD: Record<GateView['status'], string> = {
  pass: 'passing',
  fail: 'failing',
  pending: 'pending',
  unchecked: 'not checked',
};

/** A gate's status in words. */
export function gateWord(status: GateView['status']): string {
  return GATE_WORD[status];
}

const ICON: Record<VerdictStatus, string> = {
  pass: '✔',
  fail: '✘',
  error: '!',
  pending: '○',
  not_run: '○',
};

/** The path of a node-scoped route: each segment encoded, slashes kept. */
function nodePath(prefix: string, ref: string, suffix = ''): string {
  return `${prefix}/${ref.split('/').map(encodeURIComponent).join('/')}${suffix}`;
}

/** A verifier in a few words. */
export function verifierLabel(v: VerifierSpec | null): string {
  if (v === null) return 'no verifier';
  switch (v.kind) {
    case 'command':
      return `command ${v.command ?? ''}`;
    case 'file':
      return `file ${v.path ?? ''}`;
    case 'metric':
      return `metric ${v.target ?? ''}`.trim();
    case 'manual':
      return v.approver === undefined ? 'sign-off' : `sign-off by @${v.approver}`;
  }
}

function Evidence({ evidence }: { evidence: Readonly<Record<string, unknown>> }) {
  const entries = Object.entries(evidence).filter(([, v]) => v !== null && v !== undefined);
  if (entries.length === 0) return null;
  return (
    <details className="evidence-detail">
      <summary>Evidence</summary>
      <dl>
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** "Sign off" for approvers: a reason, then pass or reject. */
export function SignOff({
  planId,
  criterionId,
  onDone,
}: {
  planId: string;
  criterionId: string;
  onDone: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const id = useId();
  if (!can('gate.signoff')) return null;
  const path = nodePath('/gates', `${planId}:${criterionId}`, '/signoff');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Sign off
      </button>
    );
  }
  const send = (verdict: 'pass' | 'fail') => () => post(path, { reason: reason.trim(), verdict });
  const done = () => {
    setOpen(false);
    setReason('');
    onDone();
  };
  return (
    <form className="signoff" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id}>Reason (what you checked)</label>
      <input
        id={id}
        value={reason}
        autoFocus
        maxLength={2000}
        onChange={(e) => setReason(e.target.value)}
        placeholder="read the docs end to end"
      />
      <Action label="Sign off" kind="primary" run={send('pass')} onDone={done} />
      <Action label="Reject" kind="danger" run={send('fail')} onDone={done} />
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

/** "Run checks" for operators: decides the target's verdicts and gate now. */
export function RunChecks({ target, onDone }: { target: string; onDone: () => void }) {
  if (!can('check.run')) return null;
  return <Action label="Run checks" run={() => post('/check', { target })} onDone={onDone} />;
}

function CriterionRow({
  planId,
  c,
  onDone,
}: {
  planId: string;
  c: CriterionView;
  onDone: () => void;
}) {
  const v = c.verdict;
  const status: VerdictStatus = v === null || !v.current ? 'pending' : v.status;
  return (
    <li className={`verdict v-${status}`} aria-label={`criterion ${c.text}`}>
      <div className="item-head">
        <span aria-hidden="true" className="icon">
          {ICON[status]}
        </span>
        <span>{c.text}</span>
        <span className="kind small">{verifierLabel(c.verifier)}</span>
        <Pill value={status} />
      </div>
      <div className="muted small">
        {v === null ? (
          (c.problem ?? 'not verified yet')
        ) : (
          <>
            {v.reason} · {v.by} <Ago iso={v.at} />
            {v.current ? '' : ' · for an earlier version of the plan'}
            {v.flaky ? ' · flaky: quarantined' : ''}
          </>
        )}
      </div>
      {v === null ? null : <Evidence evidence={v.evidence} />}
      {c.action?.kind === 'signoff' ? (
        <div className="actions">
          <SignOff planId={planId} criterionId={c.id} onDone={onDone} />
        </div>
      ) : null}
    </li>
  );
}

function measuredText(m: MetricView): string {
  return m.latest === null ? 'not measured' : m.latest.raw;
}

/** A phase's gate with its decision, criteria and metrics. */
export function GatePanel({
  gate,
  criteria,
  metrics,
  onChange,
}: {
  gate: GateView;
  criteria: ReadonlyArray<CriterionView>;
  metrics: ReadonlyArray<MetricView>;
  onChange: () => void;
}) {
  if (gate.empty) return <p className="muted">No gate: this phase states no exit criteria.</p>;
  const mine = criteria.filter((c) => gate.criteria.includes(c.id));
  const gateMetrics = metrics.filter((m) => gate.metrics.includes(m.id));
  const d = gate.decided;
  return (
    <div className="gate" role="group" aria-label={`gate of ${gate.title}`}>
      <h4>
        Gate <Pill value={GATE_WORD[gate.status]} />
      </h4>
      <div className="muted small">
        {d === null ? (
          'Not checked yet.'
        ) : (
          <>
            Decided {d.status} by {d.by} <Ago iso={d.at} />
            {d.current ? '' : ' for an earlier version of the plan: run the checks again'}
          </>
        )}{' '}
        <RunChecks target={`${gate.planId}:${gate.phaseId}`} onDone={onChange} />
      </div>
      <ul className="evidence">
        {mine.map((c) => (
          <CriterionRow key={c.id} planId={gate.planId} c={c} onDone={onChange} />
        ))}
        {gateMetrics.map((m) => {
          const st: VerdictStatus =
            m.verdict === null || !m.verdict.current ? 'pending' : m.verdict.status;
          return (
            <li key={m.id} className={`verdict v-${st}`}>
              <div className="item-head">
                <span aria-hidden="true" className="icon">
                  {ICON[st]}
                </span>
                <span>
                  {m.name}: target {m.target}, measured {measuredText(m)}
                </span>
                <span className="kind small">metric</span>
                <Pill value={st} />
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function Trend({ m }: { m: MetricView }) {
  const values = m.history.map((h) => h.value);
  if (values.length < 2) return <span className="muted">—</span>;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const w = 80;
  const h = 20;
  const points = values
    .map((v, i) => `${(i / (values.length - 1)) * w},${h - ((v - min) / span) * (h - 2) - 1}`)
    .join(' ');
  const word = m.trend === 'up' ? 'rising' : m.trend === 'down' ? 'falling' : 'flat';
  return (
    <svg
      width={w}
      height={h}
      role="img"
      aria-label={`${word}: ${m.history.map((x) => x.raw).join(', ')}`}
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

function RecordValue({ planId, m, onDone }: { planId: string; m: MetricView; onDone: () => void }) {
  const [value, setValue] = useState('');
  const id = useId();
  if (!can('metric.record')) return null;
  return (
    <form className="record" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id} className="sr-only">
        Measured value of {m.name}
      </label>
      <input
        id={id}
        value={value}
        size={8}
        placeholder="value"
        onChange={(e) => setValue(e.target.value)}
      />
      <Action
        label="Record value"
        run={() => post(nodePath('/metrics', `${planId}:${m.id}`), { value: value.trim() })}
        onDone={() => {
          setValue('');
          onDone();
        }}
      />
    </form>
  );
}

/** Metrics with their measured values against their targets. */
export function MetricsTable({
  planId,
  metrics,
  onChange,
}: {
  planId: string;
  metrics: ReadonlyArray<MetricView>;
  onChange: () => void;
}) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Target</th>
            <th scope="col">Baseline</th>
            <th scope="col">Measured</th>
            <th scope="col">Trend</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.id}>
              <td>{m.name}</td>
              <td>{m.target}</td>
              <td>{m.baseline ?? '—'}</td>
              <td>
                {m.latest === null ? (
                  <span className="muted">not measured</span>
                ) : (
                  <>
                    <strong>{m.latest.raw}</strong>
                    <div className="muted small">
                      {m.latest.by} <Ago iso={m.latest.at} />
                      {m.latest.note === null ? '' : ` · ${m.latest.note}`}
                    </div>
                  </>
                )}
                <RecordValue planId={planId} m={m} onDone={onChange} />
              </td>
              <td>
                <Trend m={m} />
              </td>
              <td>
                {m.verdict === null ? (
                  <span className="muted">—</span>
                ) : (
                  <Pill value={m.verdict.status} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
