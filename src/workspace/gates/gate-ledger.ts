/**
 * What the ledger says about gates, criteria and metrics right now: the latest `gate.decided`
 * of each phase, the latest `verdict.recorded` of each criterion and metric (each marked
 * `current` when it was decided for the plan's current version), signoffs and every measured
 * value. Read only; {@link recordedCommandOutcomes} replays recorded command verdicts so a gate
 * can be re-decided without running anything.
 */
import type { LedgerEvent } from '../../ir/events.js';
import { foldLedger, type LedgerFold } from '../../ledger/fold.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { canonicalJson } from '../../util/canonical-json.js';
import {
  planInputs,
  type CommandOutcome,
  type PlanInputs,
  type VerdictStatus,
} from '../../verify/index.js';
import {
  OBSERVED_TYPES,
  type GateDecidedData,
  type SignoffData,
  type VerdictRecordedData,
} from '../checks/check-observe.js';
import type { CommandVerifierSpec } from '../checks/check.js';
import type { Workspace } from '../open.js';
import { shellCommand } from '../../util/shell-quote.js';

/** Who recorded an event and when. */
export interface Recorded {
  readonly seq: number;
  readonly at: string;
  /** The actor (`user:ana`, `cli:ana`, `agent:claude`). */
  readonly by: string;
}

/** A `gate.decided` as read back, with whether it holds for the plan's current version. */
export interface GateDecision extends Recorded {
  readonly data: GateDecidedData;
  /** True when decided for the plan version imported now (same SHA-256). */
  readonly current: boolean;
}

/** A `verdict.recorded` as read back. */
export interface RecordedVerdict extends Recorded {
  readonly data: VerdictRecordedData;
  readonly current: boolean;
}

/** A measured value of a metric (`metric.recorded`). */
export interface Measured extends Recorded {
  readonly value: number;
  readonly raw: string;
  readonly unit: string | null;
  readonly note: string | null;
}

/** Everything the ledger holds about one plan's gates. */
export interface PlanLedger {
  readonly gates: ReadonlyMap<string, GateDecision>;
  readonly verdicts: ReadonlyMap<string, RecordedVerdict>;
  readonly signoffs: ReadonlyMap<string, Recorded & { readonly data: SignoffData }>;
  /** Measured values of each metric, oldest first. */
  readonly measured: ReadonlyMap<string, ReadonlyArray<Measured>>;
}

/** The fold of every event `check` reads. */
export async function readObserved(ws: Workspace): Promise<LedgerFold> {
  return foldLedger(
    await ws.store.events.read({ types: [...OBSERVED_TYPES], limit: Number.MAX_SAFE_INTEGER }),
  );
}

function recorded(e: LedgerEvent): Recorded {
  return { seq: e.seq, at: e.ts, by: e.actor };
}

/** The latest decisions about `stored` in the ledger's fold. */
export function planLedger(
  fold: LedgerFold,
  stored: StoredPlan,
  verifierOf?: (criterionId: string) => unknown,
): PlanLedger {
  const inputs = planInputs(stored.plan, verifierOf);
  // Current: decided on this version, or on one where what it depends on was the same.
  const fresh = (
    d: { readonly planSha: string; readonly inputs?: string | undefined },
    now: string | undefined,
  ): boolean => d.planSha === stored.sha256 || (d.inputs !== undefined && d.inputs === now);
  const gates = new Map<string, GateDecision>();
  const verdicts = new Map<string, RecordedVerdict>();
  const signoffs = new Map<string, Recorded & { data: SignoffData }>();
  const measured = new Map<string, Measured[]>();
  const facts = fold.plans.get(stored.id);
  if (facts !== undefined) {
    for (const [phaseId, e] of facts.gates) {
      gates.set(phaseId, {
        ...recorded(e),
        data: e.data,
        current: fresh(e.data, inputs.gate(phaseId)),
      });
    }
    for (const [target, list] of facts.verdicts) {
      const e = list.at(-1)!;
      verdicts.set(target, {
        ...recorded(e),
        data: e.data,
        current: fresh(e.data, inputs.target(target)),
      });
    }
    for (const [criterion, e] of facts.signoffs)
      signoffs.set(criterion, { ...recorded(e), data: e.data });
    for (const [metric, list] of facts.measurements) {
      measured.set(
        metric,
        list.map((e) => ({
          ...recorded(e),
          value: e.data.value,
          raw: e.data.raw,
          unit: e.data.unit ?? null,
          note: e.data.note ?? null,
        })),
      );
    }
  }
  return { gates, verdicts, signoffs, measured };
}

/**
 * The ledger's latest decisions about `stored`; `verifierOf` gives effective verifiers (see
 * `planInputs`).
 */
export async function readPlanLedger(
  ws: Workspace,
  stored: StoredPlan,
  verifierOf?: (criterionId: string) => unknown,
): Promise<PlanLedger> {
  return planLedger(await readObserved(ws), stored, verifierOf);
}

function commandStatus(s: VerdictStatus): CommandOutcome['status'] {
  return s === 'pending' ? 'not_run' : s;
}

/**
 * A command-verifier runner that runs nothing: each command verifier gets the outcome recorded
 * for it at the same plan version (same command), or `not_run`. Used to re-decide a gate after
 * a signoff or a measured value without executing anything from a plan.
 */
export async function recordedCommandOutcomes(
  ws: Workspace,
  specs: ReadonlyArray<CommandVerifierSpec>,
): Promise<ReadonlyArray<CommandOutcome>> {
  const fold = foldLedger(
    await ws.store.events.read({ types: ['verdict.recorded'], limit: Number.MAX_SAFE_INTEGER }),
  );
  const inputs = new Map<string, PlanInputs | null>();
  const inputsOf = async (planId: string): Promise<PlanInputs | null> => {
    if (!inputs.has(planId)) {
      const stored = await ws.store.plans.get(planId);
      const effective = new Map(
        specs.filter((x) => x.planId === planId).map((x) => [x.criterionId, x.verifier]),
      );
      inputs.set(
        planId,
        stored === null ? null : planInputs(stored.plan, (id) => effective.get(id)),
      );
    }
    return inputs.get(planId)!;
  };
  const out: CommandOutcome[] = [];
  for (const s of specs) {
    const r = fold.plans.get(s.planId)?.verdicts.get(s.criterionId)?.at(-1)?.data;
    const now =
      r?.inputs === undefined ? undefined : (await inputsOf(s.planId))?.target(s.criterionId);
    const sameVersion = r !== undefined && (r.planSha === s.planSha || r.inputs === now);
    if (r !== undefined && sameVersion && canonicalJson(r.verifier) === canonicalJson(s.verifier)) {
      out.push({ status: commandStatus(r.observed), reason: r.reason, evidence: r.evidence });
      continue;
    }
    out.push({
      status: 'not_run',
      reason: `not run at this version of the plan: \`${s.verifier.command}\` runs when checks are run (\`${shellCommand('pulser', 'check', `${s.planId}:${s.phaseId ?? s.criterionId}`)}\`), under the plan's trust rules`,
      evidence: { command: s.verifier.command },
    });
  }
  return out;
}
