import { isEmptyDiff } from '../../ir/index.js';
import { resolve } from 'node:path';
import { compileOrThrow, importPlan } from '../../workspace/plans/import-plan.js';
import type { Workspace } from '../../workspace/open.js';
import { cliActor, readPlanFile } from '../../workspace/plan-file.js';
import { err, out, outJson } from '../context.js';
import { diffLines, formatDiagnostic } from '../render.js';
import { plural } from '../plural.js';

/** Fails (before any workspace is created) when `file` cannot be read or compiled at all. */
export function preflight(file: string): void {
  compileOrThrow(readPlanFile(resolve(file), file), file);
}

/**
 * `pulser import FILE`: compile, store, print diagnostics and (on re-import) the diff; `hint`
 * adds the next command to run after a first import.
 */
export async function runImport(
  ws: Workspace,
  file: string,
  json: boolean,
  hint = true,
): Promise<void> {
  const result = await importPlan(ws, file, cliActor());
  const { stored, previous, diff, diagnostics } = result;
  if (json) {
    outJson({
      planId: stored.id,
      path: stored.path,
      version: stored.version,
      sha256: stored.sha256,
      changed: result.changed,
      reimport: previous !== null,
      diff,
      diagnostics,
    });
    return;
  }
  for (const d of diagnostics) err(formatDiagnostic(d));
  const plan = stored.plan;
  const tasks = plan.tasks.length + plan.phases.reduce((n, p) => n + p.tasks.length, 0);
  const what = `${plural(plan.phases.length, 'phase')}, ${plural(tasks, 'task')}`;
  if (previous === null) {
    out(`imported ${stored.path} as ${stored.id}: "${plan.title}" (${what})`);
    if (hint) out('next: pulser status');
    return;
  }
  if (!result.changed) {
    out(`${stored.path} (${stored.id}) is unchanged since version ${previous.version}`);
    return;
  }
  if (isEmptyDiff(diff)) {
    out(
      `re-imported ${stored.path} as ${stored.id} version ${stored.version}: the text changed, no phase, task, step, criterion or command did`,
    );
    return;
  }
  out(
    `re-imported ${stored.path} as ${stored.id} version ${stored.version}: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`,
  );
  for (const line of diffLines(diff)) out(line);
}
