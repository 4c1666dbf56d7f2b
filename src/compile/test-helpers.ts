/**
 * Helpers shared by the compiler's tests (pure: callers read files themselves).
 */
import type { Plan, Task } from '../ir/index.js';
import { allTasks } from '../ir/index.js';
import { compilePlan, type CompileResult } from './index.js';

/** Compile text (UTF-8) or bytes. */
export function compileText(text: string | Uint8Array, path = 'plan.md'): CompileResult {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return compilePlan(bytes, { path });
}

/** Compile and return the plan, failing when there is none. */
export function planOf(text: string | Uint8Array, path = 'plan.md'): Plan {
  const { plan, diagnostics } = compileText(text, path);
  if (!plan) throw new Error(`no plan: ${JSON.stringify(diagnostics)}`);
  return plan;
}

/** Every task of a plan with the given label. */
export function tasksLabelled(plan: Plan, label: string): Task[] {
  return [...allTasks(plan)].filter((t) => t.label === label);
}
