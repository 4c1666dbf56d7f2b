import { resolve } from 'node:path';
import { explainPlan, summarizePlan } from '../../compile/index.js';
import { decodeSource } from '../../source/index.js';
import { readPlanFile } from '../../workspace/plan-file.js';
import { compileOrThrow } from '../../workspace/plans/import-plan.js';
import { err, out, outJson } from '../context.js';
import { formatDiagnostic } from '../render.js';
import { renderExplanation } from './plan-explain.js';
import { plural } from '../plural.js';

/** `pulser summary FILE`: compile without a workspace and print the summary. */
export function runSummary(file: string, json: boolean, explain = false): void {
  const bytes = readPlanFile(resolve(file), file);
  const { plan, diagnostics, headings, statusAt } = compileOrThrow(bytes, file);
  for (const d of diagnostics) err(formatDiagnostic(d));
  const summary = summarizePlan(plan);
  const why = explain
    ? explainPlan(plan, headings ?? [], decodeSource(bytes, { path: file }).text, statusAt)
    : undefined;
  if (json) {
    outJson({ ...summary, diagnostics, ...(why ? { explain: why } : {}) });
    return;
  }
  if (why) {
    for (const line of renderExplanation(file, why)) out(line);
    return;
  }
  const t = summary.totals;
  out(
    `${summary.title}${summary.repairedFrom === null ? '' : `  (mojibake repaired: ${summary.repairedFrom})`}`,
  );
  for (const p of summary.phases) {
    out(
      `  ${p.id}  ${p.status}  tasks ${p.tasks}  boxes ${p.checkboxes.checked}/${p.checkboxes.total}  criteria ${p.criteria}  steps ${p.steps}  ${p.title}`,
    );
  }
  out(
    `total: ${plural(t.phases, 'phase')}, ${plural(t.tasks, 'task')}, ${t.checkboxes.checked}/${plural(t.checkboxes.total, 'checkbox', 'checkboxes')}, ${plural(t.criteria, 'criterion', 'criteria')}, ${plural(t.steps, 'step')}, ${plural(t.metricTargets, 'metric target')}`,
  );
  if (t.owners.length > 0) out(`owners: ${t.owners.join(' ')}`);
}
