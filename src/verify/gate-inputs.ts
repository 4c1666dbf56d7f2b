/**
 * What a verdict or a gate decision depends on in the plan, as digests: a criterion's text,
 * checkbox, status mark, metric and effective verifier (from the plan, an annotation or the
 * sidecar); a metric's target and pass rule; a gate's list of criteria and metrics with theirs. Ticking a task's checklist item or setting a task's
 * status changes the document's SHA-256 but none of these, so it leaves every gate decided;
 * editing a criterion (or ticking a criterion's own checkbox) makes its verdict, and the gates
 * that count it, stale. Positions are left out: a line added above moves nothing.
 */
import type { Criterion, MetricTarget, Phase, Plan } from '../ir/index.js';
import { indexPlan } from '../ir/walk.js';
import { canonicalJson } from '../util/canonical-json.js';
import { sha256Hex } from '../util/hash.js';

function criterionInputs(c: Criterion, verifier: unknown): string {
  const { pos: _pos, id: _id, kind: _kind, verifier: own, ...rest } = c;
  return sha256Hex(
    canonicalJson({ kind: 'criterion', ...rest, verifier: verifier ?? own ?? null }),
  );
}

function metricInputs(m: MetricTarget): string {
  const { pos: _pos, id: _id, kind: _kind, ...rest } = m;
  return sha256Hex(canonicalJson({ kind: 'metric', ...rest }));
}

/** Digests of what each criterion, metric (by ID) and phase gate (by phase ID) depends on. */
export interface PlanInputs {
  /** A criterion's or metric's inputs (undefined: not in the plan). */
  target(id: string): string | undefined;
  /** A phase gate's inputs. */
  gate(phaseId: string): string | undefined;
}

/**
 * The inputs of every verdict and gate of `plan` (computed lazily, once per plan).
 * `verifierOf` gives a criterion's effective verifier (an annotation's, the sidecar's); without
 * it, the plan's own (a verdict bound elsewhere then reads as not current: the safe side).
 *
 * @example
 * planInputs(stored.plan, (id) => bindings.get(id)?.verifier).gate('phase-1'); // '3f2a…'
 */
export function planInputs(plan: Plan, verifierOf?: (criterionId: string) => unknown): PlanInputs {
  let targets: Map<string, string> | undefined;
  let phases: Map<string, Phase> | undefined;
  const gates = new Map<string, string | undefined>();
  const targetOf = (id: string): string | undefined => {
    if (targets === undefined) {
      targets = new Map();
      for (const node of indexPlan(plan).values()) {
        if (node.kind === 'criterion')
          targets.set(node.id, criterionInputs(node, verifierOf?.(node.id)));
      }
      for (const m of plan.metrics) targets.set(m.id, metricInputs(m));
    }
    return targets.get(id);
  };
  return {
    target: targetOf,
    gate(phaseId) {
      if (gates.has(phaseId)) return gates.get(phaseId);
      phases ??= new Map(plan.phases.map((p) => [p.id, p]));
      const phase = phases.get(phaseId);
      const digest =
        phase === undefined
          ? undefined
          : sha256Hex(
              canonicalJson({
                criteria: phase.gate.criteria.map((id) => [id, targetOf(id) ?? null]),
                metrics: phase.gate.metrics.map((id) => [id, targetOf(id) ?? null]),
              }),
            );
      gates.set(phaseId, digest);
      return digest;
    },
  };
}
