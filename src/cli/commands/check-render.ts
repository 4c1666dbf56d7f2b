/**
 * Text rendering of `pulser check` and `pulser metric list`.
 */
import type { VerdictStatus } from '../../verify/index.js';
import type { CheckResult, CriterionCheck, MetricCheck } from '../../workspace/checks/check.js';
import { cut } from '../render.js';
import { shellCommand } from '../../util/shell-quote.js';
import { noun, plural } from '../plural.js';

const LABEL: Record<VerdictStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  pending: 'PENDING',
  error: 'ERROR',
  not_run: 'NOT RUN',
};

/** One row of the verdict table. */
interface Row {
  readonly status: VerdictStatus;
  readonly flaky: boolean;
  readonly id: string;
  readonly verifier: string;
  readonly evidence: string;
}

function shortSha(value: unknown): string | null {
  return typeof value === 'string' && /^[0-9a-f]{64}$/u.test(value) ? value.slice(0, 12) : null;
}

/** The reason, plus what a person would look up: the step that ran, the output's digest. */
function evidenceOf(reason: string, evidence: Readonly<Record<string, unknown>>): string {
  const tags: string[] = [];
  const step = evidence['stepId'];
  if (typeof step === 'string' && !reason.includes(step)) tags.push(`step ${step}`);
  const out = shortSha(evidence['outputSha256']);
  if (out !== null) tags.push(`output sha256 ${out}`);
  return tags.length === 0 ? reason : `${reason} (${tags.join(', ')})`;
}

function criterionRow(c: CriterionCheck): Row {
  const kind = c.verifier === null ? 'none' : c.verifier.kind;
  return {
    status: c.verdict.status,
    flaky: c.flaky,
    id: c.id,
    verifier: c.source === 'default' || c.source === 'plan' ? kind : `${kind} (${c.source})`,
    evidence: evidenceOf(c.verdict.reason, c.verdict.evidence),
  };
}

function metricRow(m: MetricCheck): Row {
  return {
    status: m.verdict.status,
    flaky: false,
    id: m.id,
    verifier: 'metric',
    evidence: m.verdict.reason,
  };
}

function table(rows: ReadonlyArray<Row>, width: number): string[] {
  if (rows.length === 0) return [];
  const idW = Math.min(56, Math.max(9, ...rows.map((r) => [...r.id].length)));
  const kindW = Math.max(8, ...rows.map((r) => r.verifier.length));
  const rest = Math.max(40, width - (4 + 9 + idW + 2 + kindW + 2));
  const line = (a: string, b: string, c: string, d: string): string =>
    `    ${a.padEnd(9)}${cut(b, idW).padEnd(idW)}  ${c.padEnd(kindW)}  ${d}`.trimEnd();
  return [
    line('VERDICT', 'CRITERION', 'VERIFIER', 'EVIDENCE / REASON'),
    ...rows.map((r) =>
      line(r.flaky ? 'FLAKY' : LABEL[r.status], r.id, r.verifier, cut(r.evidence, rest)),
    ),
  ];
}

/**
 * True when a gate in the result does not pass, or a verdict fails, errs or could not run (a
 * command waiting for trust): `pulser check` exits 1.
 */
export function checkFailed(result: CheckResult): boolean {
  return result.plans.some(
    (p) =>
      p.phases.some((ph) => ph.gate.status !== 'pass') ||
      [...p.criteria, ...p.metrics].some(
        (c) =>
          c.verdict.status === 'fail' ||
          c.verdict.status === 'error' ||
          c.verdict.status === 'not_run',
      ),
  );
}

/** What needs a person after a check: approvals of commands, quarantined verifiers. */
function needs(result: CheckResult): string[] {
  const lines: string[] = [];
  for (const p of result.plans) {
    const waiting = p.criteria.filter((c) => c.verdict.evidence['awaiting'] !== undefined);
    if (waiting.length > 0) {
      const stepIds = waiting.map((c) => String(c.verdict.evidence['stepId']));
      lines.push(
        `${plural(waiting.length, 'command verifier')} of ${p.path} did not run: a plan's commands run only once a person trusts them.`,
        `  review them (\`pulser trust --show\`), then \`${shellCommand('pulser', 'trust', p.path)}\` and check again, or approve one execution: \`${shellCommand('pulser', 'approve', ...stepIds)}\``,
      );
    }
    for (const c of p.criteria.filter((x) => x.flaky && x.verdict.status === 'error'))
      lines.push(
        `${c.id} is flaky (quarantined): \`${shellCommand('pulser', 'signoff', c.id)} --reason "..."\` decides it`,
      );
  }
  return lines;
}

/** The verdict table of `pulser check`: per phase its gate, then criterion, verifier, verdict and evidence. */
export function renderCheck(
  result: CheckResult,
  width = process.stdout.isTTY === true ? process.stdout.columns || 120 : Infinity,
): string {
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
      lines.push(
        ...table(
          [...(grouped.get(ph.id) ?? []).map(criterionRow), ...metricsOf(ph.id).map(metricRow)],
          width,
        ),
      );
    }
    const rest: Row[] = [];
    for (const [phaseId, list] of grouped)
      if (!shown.has(phaseId)) rest.push(...list.map(criterionRow));
    rest.push(...p.metrics.filter((m) => !shown.has(m.phaseId)).map(metricRow));
    if (rest.length > 0) {
      lines.push(p.phases.length > 0 ? '  outside these gates:' : '  verdicts:');
      lines.push(...table(rest, width));
    }
  }
  const gates = result.plans.flatMap((p) => p.phases.map((ph) => ph.gate.status));
  const verdicts = result.plans.flatMap((p) => [...p.criteria, ...p.metrics]);
  const count = (s: VerdictStatus): number => verdicts.filter((v) => v.verdict.status === s).length;
  lines.push(
    `${gates.filter((g) => g === 'pass').length}/${gates.length} ${noun(gates.length, 'gate passes', 'gates pass')}; verdicts: ${count('pass')} pass, ${count('fail')} fail, ${count('pending')} pending, ${count('not_run')} not run, ${count('error')} error` +
      `; ${plural(result.recorded, 'event')} recorded`,
  );
  lines.push(...needs(result));
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
