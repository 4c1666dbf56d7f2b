/**
 * Text rendering for the plan commands: progress bars, diagnostics, diffs. No heavy imports.
 */
import type { Diagnostic, PlanDiff } from '../ir/index.js';

/** Whether stdout is a terminal (unicode bars) or a pipe/file (plain ASCII). */
export function isTty(): boolean {
  return process.stdout.isTTY === true;
}

/** A progress bar of `width` cells for `done/total` (`[####----]`, or unicode on a terminal). */
export function bar(done: number, total: number, width = 20, unicode = isTty()): string {
  const ratio = total === 0 ? 0 : done / total;
  const full = Math.round(ratio * width);
  const [on, off] = unicode ? ['█', '░'] : ['#', '-'];
  const pct = `${Math.round(ratio * 100)}%`.padStart(4);
  return `${unicode ? '' : '['}${on.repeat(full)}${off.repeat(width - full)}${unicode ? '' : ']'} ${pct}`;
}

/** `text` cut to `max` characters with an ellipsis. */
export function cut(text: string, max: number, unicode = isTty()): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}${unicode ? '…' : '~'}`;
}

/** A compiler diagnostic as `file:line:col: severity: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

function show(value: string | boolean | null): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The lines of a diff: `+ added`, `- removed`, `~ changed: field from → to`, at most `max`. */
export function diffLines(diff: PlanDiff, max = 40): string[] {
  const lines = [
    ...diff.added.map((e) => `  + ${e.kind} ${e.id}  ${cut(e.title, 60)}`),
    ...diff.removed.map((e) => `  - ${e.kind} ${e.id}  ${cut(e.title, 60)}`),
    ...diff.changed.map(
      (e) =>
        `  ~ ${e.kind} ${e.id}: ${e.changes.map((c) => `${c.field} ${show(c.from)} -> ${show(c.to)}`).join(', ')}`,
    ),
  ];
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `  ... and ${lines.length - max} more (--json shows all)`];
}
