/**
 * The report model: everything a report shows, folded from the ledger's events alone (no table,
 * no file, no clock). Same events, same model, same bytes. The events are read through the one
 * fold (`ledger/fold.ts`), which checks each against the event catalog; runtime events (`run.*`,
 * `step.*`, `trust.granted`) may be absent.
 */
import type { EventOf, LedgerEvent, TypedEvent, UnknownEvent } from '../ir/events.js';
import { LedgerFold, type Decision, type PlanFacts } from '../ledger/fold.js';
import { planInputs, type VerdictStatus } from '../verify/index.js';
import { phaseProgress, planProgress, type Count } from './progress.js';
import { shellCommand } from '../util/shell-quote.js';

/** An event as the report reads it (a stored ledger event). */
export type ReportEvent = LedgerEvent;

/**
 * Gate status in a report: `unchecked` when no `gate.decided` event exists yet; `none` when
 * the phase states no criteria (nothing to pass: never shown as a passing gate).
 */
export type ReportGateStatus = 'pass' | 'fail' | 'pending' | 'unchecked' | 'none';

/** A criterion or metric verdict in a report. */
export interface ReportVerdict {
  readonly id: string;
  readonly text: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly verifier: string;
  readonly decidedAt: string | null;
  readonly by: string | null;
  readonly seq: number | null;
  readonly flaky: boolean;
}

/** A phase in a report. */
export interface ReportPhase {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly tasks: Count;
  readonly checkboxes: Count;
  readonly gate: {
    readonly status: ReportGateStatus;
    readonly decidedAt: string | null;
    readonly seq: number | null;
    /** True when the gate was decided on an older version of the plan. */
    readonly stale: boolean;
    readonly verdicts: ReadonlyArray<ReportVerdict>;
    readonly artifacts: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
  };
  /** Forced promotions of this phase (`gate.forced`). */
  readonly forced: ReadonlyArray<{
    readonly by: string;
    readonly at: string;
    readonly reason: string | null;
    readonly seq: number;
  }>;
}

/** A metric in a report: its target, latest value and history. */
export interface ReportMetric {
  readonly id: string;
  readonly name: string;
  readonly phaseId: string | null;
  readonly target: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly latest: {
    readonly value: number;
    readonly raw: string;
    readonly by: string;
    readonly at: string;
  } | null;
  readonly history: ReadonlyArray<{ readonly at: string; readonly value: number }>;
}

/** A plan in a report. */
export interface ReportPlan {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly sha256: string;
  readonly version: number;
  readonly importedAt: string;
  readonly tasks: Count;
  readonly checkboxes: Count;
  readonly phases: ReadonlyArray<ReportPhase>;
  readonly metrics: ReadonlyArray<ReportMetric>;
}

/** A run in a report. */
export interface ReportRun {
  readonly id: string;
  /** The run's title (`run.created`); its ID in ledgers older than titles. */
  readonly title: string;
  readonly status: string;
  readonly createdAt: string;
  readonly endedAt: string | null;
  readonly target: string | null;
  readonly steps: Readonly<Record<string, number>>;
}

/** A step that waits for a person. */
export interface ReportStep {
  readonly id: string;
  readonly runId: string | null;
  readonly state: string;
  readonly since: string;
  readonly reason: string | null;
}

/** A decision a person made: an approval, rejection, signoff, forced promotion or trust grant. */
export interface ReportApproval {
  readonly kind:
    'approved' | 'rejected' | 'skipped' | 'signed_off' | 'signoff_rejected' | 'forced' | 'trusted';
  readonly subject: string;
  readonly by: string;
  readonly at: string;
  readonly reason: string | null;
  readonly seq: number;
}

/** Something that waits for a person, with the command that does it. */
export interface ReportNeed {
  readonly kind: 'approval' | 'quarantine' | 'flaky' | 'signoff' | 'failing_gate' | 'measurement';
  readonly subject: string;
  /** What a person reads: the criterion's text, the step's reason. */
  readonly label: string;
  readonly what: string;
  readonly command: string;
}

/** One point of the burn-up chart: scope and done after an event. */
export interface BurnupPoint {
  readonly seq: number;
  readonly at: string;
  /** Tasks plus checkboxes in scope. */
  readonly scope: number;
  readonly done: number;
  readonly gatesPassing: number;
}

/** Everything a report shows. */
export interface ReportModel {
  readonly ledger: {
    readonly events: number;
    readonly head: { readonly seq: number; readonly hash: string };
    readonly first: string | null;
    readonly last: string | null;
    readonly types: Readonly<Record<string, number>>;
  };
  readonly totals: {
    readonly tasks: Count;
    readonly checkboxes: Count;
    readonly gates: Readonly<Record<ReportGateStatus, number>>;
    readonly verdicts: Readonly<Record<VerdictStatus, number>>;
  };
  readonly plans: ReadonlyArray<ReportPlan>;
  readonly burnup: ReadonlyArray<BurnupPoint>;
  readonly runs: ReadonlyArray<ReportRun>;
  readonly quarantined: ReadonlyArray<ReportStep>;
  readonly awaitingApproval: ReadonlyArray<ReportStep>;
  readonly approvals: ReadonlyArray<ReportApproval>;
  readonly needs: ReadonlyArray<ReportNeed>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const person = (actor: string): string => actor.slice(actor.indexOf(':') + 1);

/** The burn-up chart, drawn as the fold goes: a point at each import and each gate that turns. */
class Burnup {
  readonly points: BurnupPoint[] = [];
  /** When set, only this plan's imports and gates draw points. */
  constructor(readonly planId: string | null = null) {}
  readonly #progress = new Map<string, { scope: number; done: number }>();
  readonly #gatePass = new Map<string, boolean>();

  add(e: TypedEvent | UnknownEvent): void {
    if ('unknown' in e) return;
    if (this.planId !== null && 'planId' in e.data && e.data.planId !== this.planId) return;
    if (e.type === 'plan.imported') {
      const p = planProgress(e.data.ir);
      this.#progress.set(e.data.planId, {
        scope: p.tasks.total + p.checkboxes.total,
        done: p.tasks.done + p.checkboxes.done,
      });
      this.#point(e);
    } else if (e.type === 'gate.decided') {
      const g = e.data;
      const key = `${g.planId}|${g.phaseId}`;
      const was = this.#gatePass.get(key) ?? false;
      this.#gatePass.set(key, g.status === 'pass');
      if (was !== (g.status === 'pass')) this.#point(e);
    }
  }

  #point(e: LedgerEvent): void {
    let scope = 0;
    let done = 0;
    for (const p of this.#progress.values()) {
      scope += p.scope;
      done += p.done;
    }
    let gatesPassing = 0;
    for (const pass of this.#gatePass.values()) if (pass) gatesPassing++;
    const point = { seq: e.seq, at: e.ts, scope, done, gatesPassing };
    const prev = this.points.at(-1);
    if (prev !== undefined && prev.at === point.at) this.points.pop();
    this.points.push(point);
  }
}

function approvalOf(e: Decision): ReportApproval {
  // Keys in the order the JSON report has always shown them.
  const of = (
    kind: ReportApproval['kind'],
    subject: string,
    reason: string | null,
    by = person(e.actor),
  ): ReportApproval => ({ kind, subject, by, at: e.ts, reason, seq: e.seq });
  switch (e.type) {
    case 'gate.forced':
      return of('forced', e.data.phaseId, e.data.reason);
    case 'criterion.signed_off':
      return of(
        e.data.verdict === 'fail' ? 'signoff_rejected' : 'signed_off',
        e.data.criterion,
        e.data.reason,
        e.data.by,
      );
    case 'trust.granted':
      return of(
        'trusted',
        e.subject ?? e.data.planId,
        str((e.data as { reason?: unknown }).reason),
      );
    case 'step.approved':
      return of('approved', e.data.stepId, str(e.data.reason));
    case 'step.rejected':
      return of('rejected', e.data.stepId, str(e.data.reason));
    case 'step.skipped':
      return of('skipped', e.data.stepId, str(e.data.reason));
    default: {
      const never: never = e;
      return never;
    }
  }
}

function verifierKind(v: unknown): string {
  const kind = obj(v)['kind'];
  return typeof kind === 'string' ? kind : 'none';
}

function verdictOf(facts: PlanFacts, id: string, fallbackText: string): ReportVerdict {
  const found = facts.verdicts.get(id)?.at(-1);
  if (found === undefined) {
    return {
      id,
      text: fallbackText,
      status: 'pending',
      reason: 'not checked yet',
      verifier: 'none',
      decidedAt: null,
      by: null,
      seq: null,
      flaky: false,
    };
  }
  const d = found.data;
  return {
    id,
    text: d.text,
    status: d.status,
    reason: d.reason,
    verifier: verifierKind(d.verifier),
    decidedAt: found.ts,
    by: person(found.actor),
    seq: found.seq,
    flaky: d.flaky,
  };
}

function measuredOf(list: ReadonlyArray<EventOf<'metric.recorded'>>): Array<{
  value: number;
  raw: string;
  by: string;
  at: string;
}> {
  return list.map((e) => ({ value: e.data.value, raw: e.data.raw, by: person(e.actor), at: e.ts }));
}

function planReport(
  planId: string,
  facts: PlanFacts,
  imported: EventOf<'plan.imported'>,
): ReportPlan {
  const ir = imported.data.ir;
  const sha256 = imported.data.sha256;
  const inputs = planInputs(ir);
  const texts = new Map<string, string>();
  for (const c of ir.criteria) texts.set(c.id, c.text);
  for (const t of ir.tasks) for (const c of t.criteria) texts.set(c.id, c.text);
  for (const ph of ir.phases) {
    for (const c of ph.criteria) texts.set(c.id, c.text);
    for (const t of ph.tasks) for (const c of t.criteria) texts.set(c.id, c.text);
  }
  for (const m of ir.metrics) texts.set(m.id, m.name);
  const phaseOfMetric = new Map<string, string>();
  const phases = ir.phases.map((ph): ReportPhase => {
    for (const m of ph.metrics) phaseOfMetric.set(m, ph.id);
    const progress = phaseProgress(ph);
    const decided = facts.gates.get(ph.id);
    const ids =
      decided === undefined
        ? [...ph.gate.criteria, ...ph.gate.metrics]
        : decided.data.verdicts.map((v) => v.target);
    const empty = ph.gate.criteria.length + ph.gate.metrics.length === 0;
    return {
      id: ph.id,
      title: ph.title,
      status: ph.status,
      ...progress,
      gate: {
        status:
          decided === undefined || empty ? (empty ? 'none' : 'unchecked') : decided.data.status,
        decidedAt: decided?.ts ?? null,
        seq: decided?.seq ?? null,
        stale:
          decided !== undefined &&
          decided.data.planSha !== sha256 &&
          (decided.data.inputs === undefined || decided.data.inputs !== inputs.gate(ph.id)),
        verdicts: ids.map((id) => verdictOf(facts, id, texts.get(id) ?? id)),
        artifacts: decided?.data.artifacts ?? [],
      },
      forced: (facts.forced.get(ph.id) ?? []).map((e) => ({
        by: person(e.actor),
        at: e.ts,
        reason: e.data.reason,
        seq: e.seq,
      })),
    };
  });
  const metrics: ReportMetric[] = ir.metrics.map((m): ReportMetric => {
    const v = verdictOf(facts, m.id, m.name);
    const history = measuredOf(facts.measurements.get(m.id) ?? []);
    const latest = history.at(-1) ?? null;
    return {
      id: m.id,
      name: m.name,
      phaseId: phaseOfMetric.get(m.id) ?? null,
      target: m.passRule ?? m.target,
      status: v.status,
      reason: v.reason,
      latest,
      history: history.map((h) => ({ at: h.at, value: h.value })),
    };
  });
  // Metrics measured for verifiers bound outside the plan (annotations, sidecar).
  const known = new Set(ir.metrics.map((m) => m.id));
  const bound = new Map<string, EventOf<'verdict.recorded'>['data']>();
  for (const list of facts.verdicts.values()) {
    const d = list.at(-1)!.data;
    const ver = obj(d.verifier);
    if (ver['kind'] === 'metric' && typeof ver['metric'] === 'string') bound.set(ver['metric'], d);
  }
  for (const [id, list] of facts.measurements) {
    if (known.has(id)) continue;
    const history = measuredOf(list);
    const v = bound.get(id);
    metrics.push({
      id,
      name: v?.text ?? id,
      phaseId: null,
      target: str(obj(v?.verifier)['target']) ?? '',
      status: v?.status ?? 'pending',
      reason: v?.reason ?? 'measured, not checked yet',
      latest: history.at(-1) ?? null,
      history: history.map((h) => ({ at: h.at, value: h.value })),
    });
  }
  return {
    id: planId,
    title: ir.title,
    path: imported.data.path,
    sha256,
    version: imported.data.version,
    importedAt: imported.ts,
    ...planProgress(ir),
    phases,
    metrics,
  };
}

function needsOf(
  plans: ReadonlyArray<ReportPlan>,
  quarantined: ReportStep[],
  awaiting: ReportStep[],
): ReportNeed[] {
  const needs: ReportNeed[] = [];
  for (const s of awaiting)
    needs.push({
      kind: 'approval',
      subject: s.id,
      label: s.reason ?? s.id,
      what: `step ${s.id} waits for an approval`,
      command: shellCommand('pulser', 'approve', s.id),
    });
  for (const s of quarantined)
    needs.push({
      kind: 'quarantine',
      subject: s.id,
      label: s.reason ?? s.id,
      what: `step ${s.id} is quarantined${s.reason === null ? '' : `: ${s.reason}`}`,
      command: shellCommand('pulser', 'retry', s.id),
    });
  for (const p of plans) {
    for (const ph of p.phases) {
      if (ph.gate.status === 'fail') {
        needs.push({
          kind: 'failing_gate',
          subject: ph.id,
          label: ph.title,
          what: `the gate of ${ph.id} fails`,
          command: shellCommand('pulser', 'check', `${p.id}:${ph.id}`),
        });
      }
      for (const v of ph.gate.verdicts) {
        if (v.flaky && v.status === 'error') {
          needs.push({
            kind: 'flaky',
            subject: v.id,
            label: v.text,
            what: `the verifier of ${v.id} is flaky (quarantined)`,
            command: `${shellCommand('pulser', 'signoff', `${p.id}:${v.id}`)} --reason "..."`,
          });
        } else if (v.status === 'pending' && v.verifier === 'manual') {
          needs.push({
            kind: 'signoff',
            subject: v.id,
            label: v.text,
            what: `${v.id} needs a signoff`,
            command: `${shellCommand('pulser', 'signoff', `${p.id}:${v.id}`)} --reason "..."`,
          });
        }
      }
    }
    for (const m of p.metrics) {
      if (m.latest === null && m.phaseId !== null) {
        needs.push({
          kind: 'measurement',
          subject: m.id,
          label: m.name,
          what: `${m.id} is not measured (target ${m.target})`,
          command: `${shellCommand('pulser', 'metric', 'set', `${p.id}:${m.id}`)} VALUE`,
        });
      }
    }
  }
  return needs;
}

/**
 * How long a run took, from ledger timestamps (`1.2 s`, `3 min 4 s`, `2 h 5 min`), or `—` while
 * it has not ended: a report says nothing that depends on when it is read.
 */
export function tookText(from: string, to: string | null): string {
  if (to === null) return '—';
  return durationText(Date.parse(to) - Date.parse(from));
}

/** A duration in milliseconds as people read it (`850 ms`, `2.3 s`, `4 min 10 s`), `—` if unknown. */
export function durationText(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60
    ? `${m} min ${Math.round((ms % 60_000) / 1000)} s`
    : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A run that has not ended: `waiting` for a person, `running`, or `queued` (nothing started). */
function openStatus(steps: Readonly<Record<string, number>>): string {
  if ((steps['awaiting_approval'] ?? 0) + (steps['quarantined'] ?? 0) > 0) return 'waiting';
  const started = Object.entries(steps).some(
    ([k, n]) => n > 0 && k !== 'queued' && k !== 'approved',
  );
  return started ? 'running' : 'queued';
}

/** The plan a decision concerns, when its event names one. */
function decisionPlan(e: Decision): string | null {
  return 'planId' in e.data && typeof e.data.planId === 'string' ? e.data.planId : null;
}

/**
 * Folds ledger events (in seq order) into the report model. With `planId`, the report of that
 * plan alone: its phases and metrics, the runs that target it and their steps and decisions.
 * Whether the plan exists is the caller's check (`plans` is empty when it does not).
 *
 * @example
 * const model = buildReport(events); // events from the ledger, seq 1..N
 * const one = buildReport(events, { planId: 'auth' });
 */
export function buildReport(
  events: Iterable<ReportEvent>,
  options: { readonly planId?: string } = {},
): ReportModel {
  const only = options.planId ?? null;
  const f = new LedgerFold();
  const burnup = new Burnup(only);
  for (const e of events) burnup.add(f.add(e));
  const plans: ReportPlan[] = [];
  for (const [id, facts] of [...f.plans].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (only !== null && id !== only) continue;
    if (facts.imported !== null) plans.push(planReport(id, facts, facts.imported));
  }
  const keptRuns =
    only === null
      ? null
      : new Set(
          [...f.runs]
            .filter(([, r]) => r.target?.startsWith(`${only}:`) === true)
            .map(([id]) => id),
        );
  const steps = [...f.steps]
    .filter(([, s]) => keptRuns === null || (s.runId !== null && keptRuns.has(s.runId)))
    .map(([id, s]): ReportStep => ({
      id,
      runId: s.runId,
      state: s.state,
      since: s.since,
      reason: s.reason,
    }));
  const keptSteps = new Set(steps.map((s) => s.id));
  const quarantined = steps.filter((s) => s.state === 'quarantined');
  const awaitingApproval = steps.filter((s) => s.state === 'awaiting_approval');
  const stepCounts = new Map<string, Record<string, number>>();
  for (const s of steps) {
    if (s.runId === null) continue;
    const c = stepCounts.get(s.runId) ?? {};
    c[s.state] = (c[s.state] ?? 0) + 1;
    stepCounts.set(s.runId, c);
  }
  const runs = [...f.runs]
    .filter(([id]) => keptRuns === null || keptRuns.has(id))
    .map(([id, r]): ReportRun => {
      const c = stepCounts.get(id) ?? {};
      return { id, ...r, status: r.endedAt === null ? openStatus(c) : r.status, steps: c };
    });
  const gates: Record<ReportGateStatus, number> = {
    pass: 0,
    fail: 0,
    pending: 0,
    unchecked: 0,
    none: 0,
  };
  const verdicts: Record<VerdictStatus, number> = {
    pass: 0,
    fail: 0,
    pending: 0,
    error: 0,
    not_run: 0,
  };
  for (const p of plans) {
    for (const ph of p.phases) {
      gates[ph.gate.status]++;
      for (const v of ph.gate.verdicts) verdicts[v.status]++;
    }
  }
  const sum = (pick: (p: ReportPlan) => Count): Count => ({
    done: plans.reduce((n, p) => n + pick(p).done, 0),
    total: plans.reduce((n, p) => n + pick(p).total, 0),
  });
  return {
    ledger: {
      events: f.count,
      head: { seq: f.last?.seq ?? 0, hash: f.last?.hash ?? '0'.repeat(64) },
      first: f.first?.ts ?? null,
      last: f.last?.ts ?? null,
      types: Object.fromEntries([...f.types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    },
    totals: { tasks: sum((p) => p.tasks), checkboxes: sum((p) => p.checkboxes), gates, verdicts },
    plans,
    burnup: burnup.points,
    runs,
    quarantined,
    awaitingApproval,
    approvals: f.decisions
      .filter((e) =>
        only === null
          ? true
          : 'stepId' in e.data
            ? keptSteps.has(e.data.stepId)
            : (decisionPlan(e) ?? only) === only,
      )
      .map(approvalOf),
    needs: needsOf(plans, quarantined, awaitingApproval),
  };
}
