/**
 * `importPlan`: read a plan file, compile it and store it in the workspace.
 */
import { resolve } from 'node:path';
import { compilePlan, type CompileResult } from '../../compile/index.js';
import { InputError } from '../../errors/index.js';
import type { Diagnostic, Plan, PlanDiff } from '../../ir/index.js';
import { diffPlans } from '../../ir/diff.js';
import type { PlanWrite, StoredPlan } from '../../store/plan-store.js';
import type { Workspace } from '../open.js';
import { planIdFor, readPlanFile, workspacePath } from '../plan-file.js';

/** What {@link importPlan} returns. */
export interface ImportResult {
  readonly stored: StoredPlan;
  /** The version this import replaced, or null on first import. */
  readonly previous: StoredPlan | null;
  readonly diff: PlanDiff;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  /** False when the file compiled to exactly the stored plan (nothing was written). */
  readonly changed: boolean;
}

/** Compile `bytes` of the plan at workspace-relative `path`; throws when nothing could be compiled. */
export function compileOrThrow(
  bytes: Uint8Array,
  path: string,
): {
  plan: Plan;
  diagnostics: ReadonlyArray<Diagnostic>;
  headings?: CompileResult['headings'];
  statusAt?: CompileResult['statusAt'];
} {
  const { plan, diagnostics, headings, statusAt } = compilePlan(bytes, { path });
  if (plan === null) {
    const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
    throw new InputError(`nothing could be compiled: ${first?.message ?? 'not a text plan'}`, {
      file: path,
      ...(first === undefined ? {} : { line: first.line, column: first.column }),
    });
  }
  return { plan, diagnostics, headings, statusAt };
}

/** Store an already compiled plan (shared by import and write-back). */
export async function storePlan(
  ws: Workspace,
  path: string,
  plan: Plan,
  actor: string,
  write?: PlanWrite,
): Promise<{ stored: StoredPlan; previous: StoredPlan | null; diff: PlanDiff; changed: boolean }> {
  const previous = await ws.store.plans.getByPath(path);
  if (
    write === undefined &&
    previous !== null &&
    JSON.stringify(previous.plan) === JSON.stringify(plan)
  ) {
    return { stored: previous, previous, diff: diffPlans(previous.plan, plan), changed: false };
  }
  const saved = await ws.store.plans.save({
    suggestedId: planIdFor(path),
    path,
    plan,
    actor,
    ...(write === undefined ? {} : { write }),
  });
  return { stored: saved.stored, previous: saved.previous, diff: saved.diff, changed: true };
}

/**
 * Import the plan at `file` (relative to the current directory) into the workspace: compile it,
 * store it (a new version when it was imported before), and report what changed.
 *
 * @example
 * const { stored, diff, diagnostics } = await importPlan(ws, 'NEXT_STEPS.md', 'cli:ana');
 */
export async function importPlan(
  ws: Workspace,
  file: string,
  actor: string,
): Promise<ImportResult> {
  const abs = resolve(file);
  const bytes = readPlanFile(abs, file);
  const path = workspacePath(ws.root, abs);
  const { plan, diagnostics } = compileOrThrow(bytes, path);
  const result = await storePlan(ws, path, plan, actor);
  return { ...result, diagnostics };
}
