/**
 * Rendering of `pulser summary FILE --explain`. Text from the document is shown with control
 * characters replaced, never raw.
 */
import type { Explanation } from '../../compile/index.js';

function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/gu, '\ufffd');
}

/** The lines `--explain` prints for `file`. */
export function renderExplanation(file: string, e: Explanation): string[] {
  const out: string[] = ['headings:'];
  for (const h of e.headings)
    out.push(
      `  ${file}:${h.line}: ${h.phase ? 'phase' : 'not a phase'}: ${safe(h.text)} — ${safe(h.why)}`,
    );
  out.push('phase statuses:');
  for (const p of e.phases) {
    const at = p.pos ? `${file}:${p.pos.line}:${p.pos.column}` : file;
    out.push(`  ${p.id} ${p.status}: ${safe(p.from)} (${at})`);
  }
  out.push('task statuses:');
  for (const t of e.tasks) {
    const at = t.pos ? ` (${file}:${t.pos.line}:${t.pos.column})` : '';
    out.push(`  ${t.id} ${t.status}: ${safe(t.from)}${at}`);
  }
  return out;
}
