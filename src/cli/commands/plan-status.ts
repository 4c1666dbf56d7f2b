import { UsageError } from '../../errors/index.js';
import type { ReadyTask, StatusReport } from '../../workspace/plans/status.js';
import { bar, cut, isTty } from '../render.js';

function ratio(p: {
  checkboxes: { checked: number; total: number };
  tasks: { done: number; total: number };
}): [number, number] {
  if (p.checkboxes.total > 0) return [p.checkboxes.checked, p.checkboxes.total];
  return [p.tasks.done, p.tasks.total];
}

/** The `pulser status` tree: per plan, per phase, a progress bar and counts. */
export function renderStatus(report: StatusReport): string {
  if (report.plans.length === 0) return 'no plan imported yet; run `pulser import PLAN.md`';
  const tty = isTty();
  const lines: string[] = [];
  for (const p of report.plans) {
    lines.push(`${p.title}  [${p.id}]  ${p.path}  v${p.version}`);
    const rows = [
      ...p.phases.map((ph) => ({ id: ph.id, status: ph.status, title: ph.title, progress: ph })),
      ...(p.unphased === null
        ? []
        : [{ id: '(no phase)', status: '', title: '', progress: p.unphased }]),
    ];
    const width = Math.max(5, ...rows.map((r) => r.id.length));
    const branch = (last: boolean): string => (tty ? (last ? '└─ ' : '├─ ') : last ? '`- ' : '|- ');
    rows.forEach((r, i) => {
      const [done, total] = ratio(r.progress);
      const full = total === 0 && r.status === 'done';
      lines.push(
        `${branch(i === rows.length - 1)}${r.id.padEnd(width)}  ${bar(full ? 1 : done, full ? 1 : total, 20, tty)}  ${r.status.padEnd(11)}  boxes ${`${r.progress.checkboxes.checked}/${r.progress.checkboxes.total}`.padEnd(7)} tasks ${`${r.progress.tasks.done}/${r.progress.tasks.total}`.padEnd(6)} ${cut(r.title, 56, tty)}`.trimEnd(),
      );
    });
    const t = p.totals;
    // A plan with neither checkboxes nor tasks (phases only) progresses by phases done.
    const [done, total] = ratio(t);
    const overall: [number, number] =
      total > 0
        ? [done, total]
        : [p.phases.filter((ph) => ph.status === 'done').length, p.phases.length];
    lines.push(
      `   ${'total'.padEnd(width)}  ${bar(...overall, 20, tty)}  ${''.padEnd(11)}  boxes ${`${t.checkboxes.checked}/${t.checkboxes.total}`.padEnd(7)} tasks ${t.tasks.done}/${t.tasks.total}`,
    );
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** Parses `--limit`. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`invalid --limit ${JSON.stringify(value)}`, {
      hint: 'give a whole number (0 for all)',
    });
  }
  return n;
}

/** The `pulser next` list. */
export function renderNext(tasks: ReadonlyArray<ReadyTask>, limit: number): string {
  if (tasks.length === 0)
    return 'no task is ready (everything is done, blocked, deferred or waiting on a dependency)';
  const shown = limit === 0 ? tasks : tasks.slice(0, limit);
  const width = Math.max(...shown.map((t) => t.id.length));
  const lines = shown.map((t) => {
    const extras = [
      t.status === 'in_progress' ? 'in progress' : '',
      t.owners.join(' '),
      t.estimate?.text ?? '',
      t.checkboxes.total > 0 ? `${t.checkboxes.checked}/${t.checkboxes.total} boxes` : '',
    ].filter((x) => x !== '');
    const plan = new Set(tasks.map((x) => x.planId)).size > 1 ? `${t.planId}:` : '';
    return `${plan}${t.id.padEnd(width)}  ${cut(t.title, 60)}${extras.length > 0 ? `  (${extras.join(', ')})` : ''}`;
  });
  if (shown.length < tasks.length)
    lines.push(`... and ${tasks.length - shown.length} more (--limit 0 shows all)`);
  return lines.join('\n');
}
