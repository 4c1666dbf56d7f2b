/**
 * `pulser summary --explain`: for each heading, why it is or is not a phase; for each phase
 * and task, where its status came from (`file:line:col` and the deciding text), or how it was
 * inferred.
 */
import type { Phase, Plan, SourcePos, Task } from '../ir/index.js';
import { doubledCr } from '../source/index.js';
import type { HeadingReading } from './phase-plan.js';

/** Why one heading is or is not a phase. */
export interface HeadingExplanation {
  readonly line: number;
  readonly text: string;
  readonly phase: boolean;
  readonly why: string;
}

/** Where a phase's or task's status came from. */
export interface StatusExplanation {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  /** Position of the deciding text, when the document states the status. */
  readonly pos?: SourcePos;
  /** The deciding text, or how the status was inferred. */
  readonly from: string;
}

/** What `--explain` shows. */
export interface Explanation {
  readonly headings: readonly HeadingExplanation[];
  readonly phases: readonly StatusExplanation[];
  readonly tasks: readonly StatusExplanation[];
}

/** Position of `needle` in the lines of `text` from 1-based `from` up to `to` (exclusive). */
function find(
  lines: readonly string[],
  needle: string,
  from: number,
  to: number,
): SourcePos | undefined {
  for (let l = Math.max(1, from); l < Math.min(to, lines.length + 1); l++) {
    const col = (lines[l - 1] ?? '').indexOf(needle);
    if (col >= 0) return { line: l, column: col + 1 };
  }
  return undefined;
}

function inferred(tasks: readonly Task[], boxes: { done: number; total: number }): string {
  if (tasks.length > 0) {
    const count = new Map<string, number>();
    for (const t of tasks) count.set(t.status, (count.get(t.status) ?? 0) + 1);
    return `inferred from ${tasks.length} task(s): ${[...count].map(([s, n]) => `${n} ${s}`).join(', ')}`;
  }
  if (boxes.total > 0) return `inferred from checkboxes: ${boxes.done}/${boxes.total} checked`;
  return 'no status signal in the document';
}

function phaseBoxes(p: Phase): { done: number; total: number } {
  let done = 0;
  let total = 0;
  const walk = (items: Phase['checklist']): void => {
    for (const i of items) {
      total++;
      if (i.checked) done++;
      walk(i.children);
    }
  };
  walk(p.checklist);
  return { done, total };
}

/** Explain a compiled plan; `text` is its decoded source (for positions of status words). */
export function explainPlan(
  plan: Plan,
  headings: readonly HeadingReading[],
  text: string,
  statusAt: Readonly<Record<string, SourcePos>> = {},
): Explanation {
  const lines = text.split(doubledCr(text) ? /\r\r\n|\r\n|\r|\n/u : /\r\n|\r|\n/u);
  const phases: StatusExplanation[] = [];
  const tasks: StatusExplanation[] = [];
  plan.phases.forEach((p, i) => {
    const end = plan.phases[i + 1]?.pos.line ?? lines.length + 1;
    const pos =
      statusAt[p.id] ?? (p.statusText ? find(lines, p.statusText, p.pos.line, end) : undefined);
    phases.push({
      id: p.id,
      title: p.title,
      status: p.status,
      ...(pos ? { pos } : {}),
      from: p.statusText
        ? `${statusAt[p.id] ? 'a row of a table of phases says' : 'states'} “${p.statusText}”`
        : inferred(p.tasks, phaseBoxes(p)),
    });
    for (const t of p.tasks) {
      const tpos = t.statusText ? find(lines, t.statusText, t.pos.line, end) : undefined;
      tasks.push({
        id: t.id,
        title: t.title,
        status: t.status,
        ...(tpos ? { pos: tpos } : {}),
        from: t.statusText
          ? `states “${t.statusText}”`
          : t.checklist.length > 0
            ? 'its checkbox(es)'
            : 'no status stated: open by default',
      });
    }
  });
  return {
    headings: headings.map((h) => ({
      line: h.line + 1,
      text: h.text,
      phase: h.phase !== undefined,
      why: h.why,
    })),
    phases,
    tasks,
  };
}
