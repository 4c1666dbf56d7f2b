/**
 * The one boundary every "mark done" made by an agent goes through, bound to the ledger's gate
 * verdicts: a phase may be marked done only when the latest `gate.decided` of its gate, decided
 * for the plan's current version, passes; a task only when each of its own criteria's latest
 * `verdict.recorded`, for the current version, passes. Nothing is run here: the agent (or a
 * person) records fresh verdicts first with `pulser_run_checks` / `pulser check`.
 */
import type { Phase, Task } from '../../ir/schema.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { readPlanLedger, type PlanLedger } from '../gates/gate-ledger.js';
import { resolveBindings, type Binding } from '../checks/check-bindings.js';
import type { Workspace } from '../open.js';

/** Whether a task or phase may be marked done, and what holds it back. */
export interface DoneVerdict {
  readonly allowed: boolean;
  /** One line per blocking criterion or metric: `phase-1/exit/ci-is-green: fail (exit 1)`. */
  readonly blocking: ReadonlyArray<string>;
}

/** The node to mark done and the plan holding it. */
export interface DoneTarget {
  readonly stored: StoredPlan;
  readonly node: Task | Phase;
}

const NOT_VERIFIED = 'not verified at this version of the plan';

/** Lines for the targets whose latest current verdict does not pass. */
function unverified(ledger: PlanLedger, targets: Iterable<string>): string[] {
  const out: string[] = [];
  for (const id of targets) {
    const v = ledger.verdicts.get(id);
    if (v === undefined || !v.current) out.push(`${id}: ${NOT_VERIFIED}`);
    else if (v.data.status !== 'pass') out.push(`${id}: ${v.data.status} (${v.data.reason})`);
  }
  return out;
}

function phaseBlocking(ledger: PlanLedger, phase: Phase): string[] {
  const targets = [...phase.gate.criteria, ...phase.gate.metrics];
  if (targets.length === 0) return []; // nothing to check: an empty gate passes
  const d = ledger.gates.get(phase.id);
  if (d !== undefined && d.current) {
    if (d.data.status === 'pass') return [];
    return d.data.verdicts
      .filter((v) => v.status !== 'pass')
      .map((v) => `${v.target}: ${v.status} (${v.reason})`);
  }
  const lines = unverified(ledger, targets);
  return lines.length > 0
    ? lines
    : [`${phase.id}: gate not decided at this version of the plan (run the checks)`];
}

/**
 * Decides whether `target` may be marked done by an agent, from the ledger: a phase when its
 * gate's latest decision for the current plan version passes; a task when each of its own
 * criteria's latest verdict for the current version passes.
 *
 * @example
 * const { allowed, blocking } = await mayMarkDone(ws, { stored, node: phase });
 */
export async function mayMarkDone(ws: Workspace, target: DoneTarget): Promise<DoneVerdict> {
  const { node, stored } = target;
  const bindings = await resolveBindings(ws, stored).catch(() => new Map<string, Binding>());
  const ledger = await readPlanLedger(ws, stored, (id) => bindings.get(id)?.verifier ?? undefined);
  const blocking =
    node.kind === 'phase'
      ? phaseBlocking(ledger, node)
      : unverified(
          ledger,
          node.criteria.map((c) => c.id),
        );
  return { allowed: blocking.length === 0, blocking };
}
