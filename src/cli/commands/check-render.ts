/**
 * Text rendering of `pulser check` and `pulser metric list`.
 */
import type { VerdictStatus } from '../../verify/index.js';
import type { CheckResult, CriterionCheck, MetricCheck } from '../../workspace/check.js';
import { cut } from '../render.js';

const LABEL: Record<VerdictStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  pending: 'PENDING',
  error: 'ERROR',
  not_run: 'NOT RUN',
};

function row(status: VerdictStatus, id: string, reason: string, flaky = false): string {
  return `    ${(flaky ? 'FLAKY' : LABEL[status]).padEnd(8)} ${id}\n             ${cut(reason, 110)}`;
}

function criterionRow(c: CriterionCheck): string {
  const kind = c.verifier === null ? 'none' : c.verifier.kind;
  return row(c.verdict.status, `${c.id}  [${kind}, ${c.source}]`, c.verdict.reason, c.flaky);
}

/** True when a gate in the result does not pass or a verdict fails or errs (exit code 1). */
export function checkFailed(result: CheckResult): boolean {
  return result.plans.some(
    (p) =>
      p.phases.some((ph) => ph.gate.status !== 'pass') ||
      [...p.criteria, ...p.metrics].some(
        (c) => c.verdict.status === 'fail' || c.verdict.status === 'error',
      ),
  );
}

/** The verdict table of `pulser check`. */
export function renderCheck(result: CheckResult): string {
  const lines: string[] = [];
  if (result.plans.length === 0) return 'no plan imported yet: run `pulser import PLAN.md` first';
  for (const p of result.plans) {
    lines.push(`${p.planId}: ${p.title} (${p.path}, sha256 ${p.sha256.slice(0, 12)})`);
    const grouped = new Map<string | null, CriterionCheck[]>();
    for (const c of p.criteria) grouped.set(c.phaseId, [...(grouped.get(c.phaseId) ?? []), c]);
    const metricsOf = (phaseId: string | null): MetricCheck[] =>
      p.metrics.filter((m) => m.phaseId === phaseId);
    const shown = new Set<string | null>();
    for (const ph of p.phases) {
      shown.add(ph.id);
      const passing = ph.gate.verdicts.filter((v) => v.status === 'pass').length;
      lines.push(
        `  ${ph.id}: ${cut(ph.title, 60)}  gate ${ph.gate.status.toUpperCase()}${ph.gate.empty ? ' (nothing to check)' : ` (${passing}/${ph.gate.verdicts.length} passing)`}`,
      );
      for (const c of grouped.get(ph.id) ?? []) lines.push(criterionRow(c));
      for (const m of metricsOf(ph.id))
        lines.push(row(m.verdict.status, `${m.id}  [metric]`, m.verdict.reason));
    }
    for (const [phaseId, list] of grouped) {
      if (shown.has(phaseId)) continue;
      lines.push(`  ${phaseId ?? 'outside phases'}:`);
      for (const c of list) lines.push(criterionRow(c));
    }
    const rest = p.metrics.filter((m) => !shown.has(m.phaseId));
    if (rest.length > 0) lines.push('  metrics:');
    for (const m of rest) lines.push(row(m.verdict.status, m.id, m.verdict.reason));
  }
  const gates = result.plans.flatMap((p) => p.phases.map((ph) => ph.gate.status));
  const verdicts = result.plans.flatMap((p) => [...p.criteria, ...p.metrics]);
  const count = (s: VerdictStatus): number => verdicts.filter((v) => v.verdict.status === s).length;
  lines.push(
    `${gates.filter((g) => g === 'pass').length}/${gates.length} gates pass; verdicts: ${count('pass')} pass, ${count('fail')} fail, ${count('pending')} pending, ${count('not_run')} not run, ${count('error')} error` +
      `; ${result.recorded} event(s) recorded`,
  );
  return lines.join('\n');
}

/** `pulser metric list`. */
export function renderMetrics(metrics: ReadonlyArray<MetricCheck & { planId: string }>): string {
  if (metrics.length === 0) return 'no metrics: the imported plans state no targets';
  return metrics
    .map(
      (m) =>
        `${LABEL[m.verdict.status].padEnd(8)} ${m.planId}:${m.id}\n         target ${m.target}; ${m.verdict.status === 'pending' ? 'not measured yet' : m.verdict.reason}`,
    )
    .join('\n');
}
