/**
 * Recording a check in the ledger: a `verdict.recorded` per criterion or metric whose verdict
 * changed since it was last recorded, `verifier.quarantined` when a verifier is first found
 * flaky, and a `gate.decided` per phase whose gate decision changed.
 */
import { canonicalJson } from '../../util/canonical-json.js';
import { planInputs, type PlanInputs } from '../../verify/index.js';
import type { GateDecidedData, LedgerObservations, VerdictRecordedData } from './check-observe.js';
import type { CriterionCheck, MetricCheck, PlanCheck } from './check.js';
import type { Workspace } from '../open.js';

function verdictData(
  plan: PlanCheck,
  c: CriterionCheck | MetricCheck,
  inputs: PlanInputs | null,
): VerdictRecordedData {
  const isCriterion = 'source' in c;
  const digest = inputs?.target(c.id);
  return {
    planId: plan.planId,
    planSha: plan.sha256,
    path: plan.path,
    phaseId: c.phaseId,
    target: c.id,
    targetKind: isCriterion ? 'criterion' : 'metric',
    text: isCriterion ? c.text : c.name,
    verifier: isCriterion ? c.verifier : { kind: 'metric', metric: c.id, target: c.target },
    source: isCriterion ? c.source : 'plan',
    status: c.verdict.status,
    observed: isCriterion ? c.observed : c.verdict.status,
    reason: c.verdict.reason,
    evidence: c.verdict.evidence,
    inputDigest: c.inputDigest,
    flaky: isCriterion ? c.flaky : false,
    ...(digest === undefined ? {} : { inputs: digest }),
  };
}

function sameVerdict(a: VerdictRecordedData | undefined, b: VerdictRecordedData): boolean {
  return (
    a !== undefined &&
    a.status === b.status &&
    a.observed === b.observed &&
    a.reason === b.reason &&
    a.inputDigest === b.inputDigest &&
    // Each execution of a command verifier is evidence of its own.
    a.evidence['stepId'] === b.evidence['stepId']
  );
}

/** Appends the events of `plan`'s check that differ from the ledger; returns how many. */
export async function recordCheck(
  ws: Workspace,
  plan: PlanCheck,
  obs: LedgerObservations,
  actor: string,
): Promise<number> {
  let n = 0;
  const append = async (type: string, subject: string, data: unknown): Promise<void> => {
    await ws.store.events.append({ type, actor, subject, data });
    n++;
  };
  // What each verdict and gate depends on in the version of the plan that was checked.
  const stored = await ws.store.plans.get(plan.planId);
  const effective = new Map(plan.criteria.map((c) => [c.id, c.verifier]));
  const inputs =
    stored?.sha256 === plan.sha256
      ? planInputs(stored.plan, (id) => effective.get(id) ?? undefined)
      : null;
  for (const c of [...plan.criteria, ...plan.metrics]) {
    const history = obs.verdicts.get(c.id) ?? [];
    const data = verdictData(plan, c, inputs);
    if (data.flaky && !history.some((r) => r.flaky && r.inputDigest === data.inputDigest)) {
      await append('verifier.quarantined', c.id, {
        planId: plan.planId,
        criterion: c.id,
        verifier: data.verifier,
        inputDigest: data.inputDigest,
        reason: 'passed and failed on the same input',
      });
    }
    if (!sameVerdict(history.at(-1), data)) await append('verdict.recorded', c.id, data);
  }
  for (const p of plan.phases) {
    const gateInputs = inputs?.gate(p.id);
    const data: GateDecidedData = {
      planId: plan.planId,
      planSha: plan.sha256,
      path: plan.path,
      phaseId: p.id,
      gate: p.gate.gate,
      status: p.gate.status,
      empty: p.gate.empty,
      verdicts: p.gate.verdicts.map((v) => ({
        target: v.target,
        status: v.status,
        reason: v.reason,
      })),
      blocking: p.gate.blocking.map((v) => v.target),
      artifacts: p.artifacts,
      ...(gateInputs === undefined ? {} : { inputs: gateInputs }),
    };
    const last = obs.gates.get(p.id);
    if (last === undefined || canonicalJson(last) !== canonicalJson(data)) {
      await append('gate.decided', p.id, data);
    }
  }
  return n;
}
