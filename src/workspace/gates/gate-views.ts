/**
 * Read models of gates for the Runboard, the JSON API and the inbox: each phase's gate with its
 * latest decision, each criterion with its verifier, latest verdict and evidence, each metric
 * with its measured values against its target, and what a person can do about what blocks a
 * gate. Everything comes from the ledger (`gate.decided`, `verdict.recorded`,
 * `criterion.signed_off`, `metric.recorded`); nothing is run or recorded here, except by
 * {@link redecide}, which re-decides a plan's gates without running any command.
 */
import { NotFoundError } from '../../errors/index.js';
import type { Verifier } from '../../ir/index.js';
import type { StoredPlan } from '../../store/plan-store.js';
import type { VerdictStatus } from '../../verify/index.js';
import { planCriteria, resolveBindings, type Binding } from '../checks/check-bindings.js';
import { checkTarget, type CheckResult } from '../checks/check.js';
import {
  planLedger,
  readObserved,
  recordedCommandOutcomes,
  type Measured,
  type PlanLedger,
  type Recorded,
  type RecordedVerdict,
} from './gate-ledger.js';
import type { Workspace } from '../open.js';
import { shellCommand } from '../../util/shell-quote.js';

/** What a person can do about a criterion or metric that keeps a gate closed. */
export interface ResolveAction {
  /** `signoff`: an approver decides; `metric`: an operator records a measured value; `check`: run the checks again (commands under the trust rules); `fix`: change the file or the binding, then check. */
  readonly kind: 'signoff' | 'metric' | 'check' | 'fix';
  /** The CLI command that does it. */
  readonly command: string;
  /** The approver the verifier names (`manual @ana`), if any. */
  readonly approver?: string;
  /** For `metric`: the metric to measure. */
  readonly metric?: string;
}

/** A verdict as shown: the recorded one, with who recorded it and whether it is current. */
export interface VerdictView {
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly flaky: boolean;
  readonly at: string;
  readonly by: string;
  readonly seq: number;
  /** False when recorded for an earlier version of the plan. */
  readonly current: boolean;
}

/** One criterion with its verifier and latest verdict. */
export interface CriterionView {
  readonly id: string;
  readonly text: string;
  readonly section: string;
  readonly phaseId: string | null;
  readonly verifier: Verifier | null;
  readonly source: Binding['source'] | null;
  readonly where: string | null;
  /** Why the binding cannot be used, when it cannot. */
  readonly problem: string | null;
  readonly verdict: VerdictView | null;
  /** Set while the criterion does not pass at this version. */
  readonly action: ResolveAction | null;
}

/** One metric: its target, measured values (oldest first, the last 20) and latest verdict. */
export interface MetricView {
  readonly id: string;
  readonly name: string;
  readonly phaseId: string | null;
  readonly target: string;
  readonly baseline: string | null;
  readonly latest: Measured | null;
  readonly history: ReadonlyArray<Measured>;
  /** Direction of the last change; null with fewer than two values. */
  readonly trend: 'up' | 'down' | 'flat' | null;
  readonly verdict: VerdictView | null;
}

/** A criterion or metric that keeps a gate closed. */
export interface Blocker {
  readonly target: string;
  readonly text: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly action: ResolveAction;
}

/** One phase's gate. */
export interface GateView {
  readonly planId: string;
  readonly phaseId: string;
  readonly title: string;
  readonly phaseStatus: string;
  readonly gate: string;
  /** `unchecked`: no decision recorded for the plan's current version. */
  readonly status: 'pass' | 'fail' | 'pending' | 'unchecked';
  readonly empty: boolean;
  /** The latest decision (possibly for an earlier version: see `current`). */
  readonly decided: (Recorded & { readonly current: boolean; readonly status: string }) | null;
  readonly criteria: ReadonlyArray<string>;
  readonly metrics: ReadonlyArray<string>;
  readonly blocking: ReadonlyArray<Blocker>;
  /** Re-decides this gate: `pulser check planId:phaseId`. */
  readonly check: string;
}

/** A plan's gates, criteria and metrics. */
export interface PlanGates {
  readonly planId: string;
  readonly title: string;
  readonly path: string;
  readonly sha256: string;
  readonly gates: ReadonlyArray<GateView>;
  readonly criteria: ReadonlyArray<CriterionView>;
  readonly metrics: ReadonlyArray<MetricView>;
}

function verdictView(r: RecordedVerdict | undefined): VerdictView | null {
  if (r === undefined) return null;
  const d = r.data;
  return {
    status: d.status,
    reason: d.reason,
    evidence: d.evidence,
    flaky: d.flaky,
    at: r.at,
    by: r.by,
    seq: r.seq,
    current: r.current,
  };
}

function actionFor(planId: string, phaseId: string | null, b: Binding | undefined, id: string) {
  const ref = `${planId}:${id}`;
  const check = shellCommand('pulser', 'check', `${planId}:${phaseId ?? id}`);
  const signoff = (approver?: string): ResolveAction => ({
    kind: 'signoff',
    command: `${shellCommand('pulser', 'signoff', ref)} --reason "..."`,
    ...(approver === undefined ? {} : { approver }),
  });
  const v = b?.verifier ?? null;
  if (b?.problem !== undefined) return { kind: 'fix', command: check } as const;
  if (v === null) return signoff();
  switch (v.kind) {
    case 'manual':
      return signoff(v.approver);
    case 'metric':
      return {
        kind: 'metric',
        metric: v.metric,
        command: `${shellCommand('pulser', 'metric', 'set', `${planId}:${v.metric}`)} VALUE`,
      } as const;
    case 'file':
      return { kind: 'fix', command: check } as const;
    case 'command':
      return { kind: 'check', command: check } as const;
    default: {
      const never: never = v;
      return never;
    }
  }
}

function trendOf(history: ReadonlyArray<Measured>): MetricView['trend'] {
  const [a, b] = history.slice(-2);
  if (a === undefined || b === undefined) return null;
  return b.value > a.value ? 'up' : b.value < a.value ? 'down' : 'flat';
}

async function bindingsOf(ws: Workspace, stored: StoredPlan): Promise<Map<string, Binding>> {
  try {
    return await resolveBindings(ws, stored);
  } catch {
    return new Map(); // the file changed since its import: show what the ledger says
  }
}

function gatesOf(
  stored: StoredPlan,
  ledger: PlanLedger,
  criteria: ReadonlyArray<CriterionView>,
  metrics: ReadonlyArray<MetricView>,
): GateView[] {
  const byId = new Map<string, CriterionView | MetricView>();
  for (const c of criteria) byId.set(c.id, c);
  for (const m of metrics) byId.set(m.id, m);
  return stored.plan.phases.map((p): GateView => {
    const d = ledger.gates.get(p.id);
    const empty = p.gate.criteria.length + p.gate.metrics.length === 0;
    const status = d?.current === true ? d.data.status : empty ? 'pass' : 'unchecked';
    const check = shellCommand('pulser', 'check', `${stored.id}:${p.id}`);
    const blocking: Blocker[] = [];
    if (status !== 'pass') {
      const decided = new Map(
        (d?.current === true ? d.data.verdicts : []).map((v) => [v.target, v]),
      );
      for (const target of [...p.gate.criteria, ...p.gate.metrics]) {
        const node = byId.get(target);
        const own = node?.verdict?.current === true ? node.verdict : null;
        // A current decision says what blocks; without one, each target's own latest verdict.
        const v = d?.current === true ? decided.get(target) : own;
        const st = v?.status ?? 'pending';
        if (st === 'pass') continue;
        const action: ResolveAction =
          node === undefined
            ? { kind: 'check', command: check }
            : 'name' in node
              ? {
                  kind: 'metric',
                  metric: node.id,
                  command: `${shellCommand('pulser', 'metric', 'set', `${stored.id}:${node.id}`)} VALUE`,
                }
              : (node.action ?? { kind: 'check', command: check });
        blocking.push({
          target,
          text: node === undefined ? target : 'name' in node ? node.name : node.text,
          status: st,
          reason: v?.reason ?? 'not verified at this version of the plan',
          action,
        });
      }
    }
    return {
      planId: stored.id,
      phaseId: p.id,
      title: p.title,
      phaseStatus: p.status,
      gate: p.gate.id,
      status,
      empty,
      decided:
        d === undefined
          ? null
          : { seq: d.seq, at: d.at, by: d.by, current: d.current, status: d.data.status },
      criteria: p.gate.criteria,
      metrics: p.gate.metrics,
      blocking,
      check,
    };
  });
}

function planGatesOf(
  stored: StoredPlan,
  ledger: PlanLedger,
  bindings: ReadonlyMap<string, Binding>,
): PlanGates {
  const criteria = planCriteria(stored.plan).map(({ criterion: c, phaseId }): CriterionView => {
    const b = bindings.get(c.id);
    const verdict = verdictView(ledger.verdicts.get(c.id));
    const passing = verdict?.current === true && verdict.status === 'pass';
    return {
      id: c.id,
      text: c.text,
      section: c.section,
      phaseId,
      verifier: b?.verifier ?? c.verifier ?? null,
      source: b?.source ?? null,
      where: b?.where ?? null,
      problem: b?.problem ?? null,
      verdict,
      action: passing ? null : actionFor(stored.id, phaseId, b, c.id),
    };
  });
  const phaseOf = new Map<string, string>();
  for (const p of stored.plan.phases) for (const m of p.metrics) phaseOf.set(m, p.id);
  const metrics = stored.plan.metrics.map((m): MetricView => {
    const all = ledger.measured.get(m.id) ?? [];
    return {
      id: m.id,
      name: m.name,
      phaseId: phaseOf.get(m.id) ?? null,
      target: m.passRule ?? m.target,
      baseline: m.baseline ?? null,
      latest: all.at(-1) ?? null,
      history: all.slice(-20),
      trend: trendOf(all),
      verdict: verdictView(ledger.verdicts.get(m.id)),
    };
  });
  return {
    planId: stored.id,
    title: stored.plan.title,
    path: stored.path,
    sha256: stored.sha256,
    gates: gatesOf(stored, ledger, criteria, metrics),
    criteria,
    metrics,
  };
}

/**
 * The gates, criteria and metrics of `planId` (every plan when undefined), from the ledger.
 *
 * @example
 * const [plan] = await planGates(ws, 'launch-plan');
 * plan?.gates[0]?.status; // 'pass' | 'fail' | 'pending' | 'unchecked'
 */
export async function planGates(ws: Workspace, planId?: string): Promise<PlanGates[]> {
  const plans =
    planId === undefined
      ? await ws.store.plans.list()
      : [await ws.store.plans.get(planId)].filter((p) => p !== null);
  if (planId !== undefined && plans.length === 0) {
    throw new NotFoundError(`no plan ${planId}`, { hint: 'GET /plans lists the imported plans' });
  }
  const fold = await readObserved(ws);
  const out: PlanGates[] = [];
  for (const stored of plans) {
    const bindings = await bindingsOf(ws, stored);
    const ledger = planLedger(fold, stored, (id) => bindings.get(id)?.verifier ?? undefined);
    out.push(planGatesOf(stored, ledger, bindings));
  }
  return out;
}

/** A gate that was decided and does not pass, for the inbox. */
export interface FailingGate extends GateView {
  readonly planTitle: string;
}

/**
 * Gates of phases not yet done whose latest decision does not pass (`fail` or `pending`), with
 * what blocks them and what resolves it. A decision made for an earlier version of the plan
 * is listed too (`decided.current` is false): run the checks again.
 */
export async function failingGates(ws: Workspace): Promise<FailingGate[]> {
  const out: FailingGate[] = [];
  for (const plan of await planGates(ws)) {
    for (const g of plan.gates) {
      if (g.decided === null || g.phaseStatus === 'done') continue;
      if (g.decided.current ? g.status === 'pass' : g.decided.status === 'pass') continue;
      out.push({ ...g, planTitle: plan.title });
    }
  }
  return out;
}

/**
 * Re-decides what a change touches, from what is observed now (signoffs, measured values,
 * files) and what was recorded for command verifiers, running nothing; records what changed as
 * `actor`. `node` is a criterion or metric of `planId`: its phase's gate is re-decided (each
 * gate holding the metric or a criterion measured by it), or the node alone outside phases.
 * Called after a signoff or a measured value so that gate decisions follow.
 */
export async function redecide(
  ws: Workspace,
  planId: string,
  node: string,
  actor: string,
): Promise<number> {
  const [plan] = await planGates(ws, planId);
  const phases = new Set<string>();
  for (const g of plan?.gates ?? []) if (g.metrics.includes(node)) phases.add(g.phaseId);
  for (const c of plan?.criteria ?? []) {
    const measures = c.verifier?.kind === 'metric' && c.verifier.metric === node;
    if ((c.id === node || measures) && c.phaseId !== null) phases.add(c.phaseId);
  }
  const targets = phases.size === 0 ? [node] : [...phases];
  let recorded = 0;
  for (const t of targets) {
    const r: CheckResult = await checkTarget(ws, `${planId}:${t}`, {
      actor,
      runCommands: recordedCommandOutcomes,
    });
    recorded += r.recorded;
  }
  return recorded;
}
