/**
 * A check's result as a compact verdict table (for agents and API clients): each gate decided
 * with what blocks it, each criterion and metric with its verdict, and what to do next.
 */
import type { VerdictStatus } from '../../verify/index.js';
import type { CheckResult } from './check.js';

/** One row of a verdict table. */
export interface VerdictRow {
  readonly planId: string;
  readonly id: string;
  readonly kind: 'criterion' | 'metric';
  readonly text: string;
  /** The verifier's kind (`command`, `file`, `metric`, `manual`), or `none`. */
  readonly verifier: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly flaky: boolean;
}

/** One gate of a verdict table. */
export interface GateRow {
  readonly planId: string;
  readonly phaseId: string;
  readonly title: string;
  readonly status: 'pass' | 'fail' | 'pending';
  readonly blocking: ReadonlyArray<{ target: string; status: VerdictStatus; reason: string }>;
}

/** A check as a verdict table. */
export interface VerdictTable {
  readonly target: string | null;
  /** Events the check appended to the ledger. */
  readonly recorded: number;
  readonly gates: ReadonlyArray<GateRow>;
  readonly verdicts: ReadonlyArray<VerdictRow>;
  /** One sentence: what the result allows, or what waits for whom. */
  readonly next: string;
}

/** Turns a {@link CheckResult} into a {@link VerdictTable}. */
export function verdictTable(result: CheckResult): VerdictTable {
  const gates: GateRow[] = [];
  const verdicts: VerdictRow[] = [];
  for (const p of result.plans) {
    for (const ph of p.phases) {
      gates.push({
        planId: p.planId,
        phaseId: ph.id,
        title: ph.title,
        status: ph.gate.status,
        blocking: ph.gate.blocking.map((v) => ({
          target: v.target,
          status: v.status,
          reason: v.reason,
        })),
      });
    }
    for (const c of p.criteria) {
      verdicts.push({
        planId: p.planId,
        id: c.id,
        kind: 'criterion',
        text: c.text,
        verifier: c.verifier?.kind ?? 'none',
        status: c.verdict.status,
        reason: c.verdict.reason,
        flaky: c.flaky,
      });
    }
    for (const m of p.metrics) {
      verdicts.push({
        planId: p.planId,
        id: m.id,
        kind: 'metric',
        text: `${m.name} (target ${m.target})`,
        verifier: 'metric',
        status: m.verdict.status,
        reason: m.verdict.reason,
        flaky: false,
      });
    }
  }
  const open = verdicts.filter((v) => v.status !== 'pass');
  const closed = gates.filter((g) => g.status !== 'pass');
  const next =
    open.length === 0 && closed.length === 0
      ? 'every verdict passes: the task or phase may be marked done'
      : `${open.length} of ${verdicts.length} not passing: manual criteria need a person's signoff (ask with pulser_request_approval), metrics a measured value (pulser metric set), commands a trusted plan`;
  return { target: result.target, recorded: result.recorded, gates, verdicts, next };
}
