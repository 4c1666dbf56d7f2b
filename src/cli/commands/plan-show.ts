import type { ShowResult } from '../../workspace/plans/show.js';

function field(
  lines: string[],
  name: string,
  value: string | number | ReadonlyArray<string> | null | undefined,
): void {
  if (value === undefined || value === null || value === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  lines.push(
    `  ${`${name}:`.padEnd(10)} ${Array.isArray(value) ? value.join(', ') : String(value)}`,
  );
}

/** The `pulser show` text: what the node is, where it stands, its fields and children. */
export function renderShow(r: ShowResult): string {
  const n = r.node;
  const lines: string[] = [];
  const title =
    n.kind === 'item' || n.kind === 'criterion' ? n.text : n.kind === 'metric' ? n.name : n.title;
  lines.push(`${n.kind} ${r.id}: ${title}`);
  field(lines, 'plan', `${r.planId} (${r.planTitle})`);
  field(lines, 'at', r.location);
  field(lines, 'phase', r.phase === null ? null : `${r.phase.id} (${r.phase.title})`);
  field(lines, 'task', r.task === null ? null : `${r.task.id} (${r.task.title})`);
  switch (n.kind) {
    case 'phase':
    case 'task':
      field(
        lines,
        'status',
        n.statusText === undefined ? n.status : `${n.status} (${n.statusText})`,
      );
      field(lines, 'owners', n.owners);
      field(lines, 'estimate', n.estimate?.text);
      if (n.kind === 'task') {
        field(lines, 'label', n.label);
        field(lines, 'priority', n.priority);
        field(lines, 'deadline', n.deadline);
        field(lines, 'depends', n.dependsOn);
        field(
          lines,
          'files',
          n.files.map((f) => `${f.path} (${f.action})`),
        );
      } else {
        field(lines, 'goal', n.goal);
        field(lines, 'dates', n.dates);
      }
      break;
    case 'item':
      field(lines, 'checked', n.checked ? 'yes' : 'no');
      break;
    case 'criterion':
      field(lines, 'section', n.section);
      field(lines, 'checked', n.checked === undefined ? undefined : n.checked ? 'yes' : 'no');
      field(lines, 'status', n.status);
      field(lines, 'verifier', n.verifier?.kind);
      break;
    case 'step':
      field(lines, 'tool', `${n.tool} (${n.language})`);
      field(lines, 'approval', n.approval);
      field(lines, 'digest', n.digest);
      lines.push(...n.input.split(/\r\n|\r|\n/u).map((l) => `    ${l}`));
      break;
    case 'metric':
      field(lines, 'target', n.target);
      field(lines, 'pass rule', n.passRule);
      break;
    case 'decision':
      field(lines, 'question', n.question);
      for (const o of n.options) lines.push(`  option ${o.label}: ${o.text}`);
      field(lines, 'recommend', n.recommendation ?? n.recommended);
      break;
    case 'plan':
      break;
    default: {
      const never: never = n;
      return String(never);
    }
  }
  if (r.progress !== null) {
    const p = r.progress;
    field(
      lines,
      'progress',
      `${p.checkboxes.checked}/${p.checkboxes.total} boxes${p.tasks === undefined || n.kind === 'task' ? '' : `, ${p.tasks.done}/${p.tasks.total} tasks`}`,
    );
  }
  const children: string[] = [];
  if (n.kind === 'phase') {
    for (const t of n.tasks) children.push(`    task ${t.id}  [${t.status}]  ${t.title}`);
    for (const c of n.criteria)
      children.push(
        `    criterion ${c.id}  ${c.checked === undefined ? '' : c.checked ? '[x] ' : '[ ] '}${c.text}`,
      );
    for (const s of n.steps) children.push(`    step ${s.id}  ${s.title}`);
  }
  if (n.kind === 'phase' || n.kind === 'task' || n.kind === 'item') {
    const items = n.kind === 'item' ? n.children : n.checklist;
    const walk = (list: typeof items, depth: number): void => {
      for (const i of list) {
        children.push(`    ${'  '.repeat(depth)}${i.checked ? '[x]' : '[ ]'} ${i.id}  ${i.text}`);
        walk(i.children, depth + 1);
      }
    };
    walk(items, 0);
  }
  if (n.kind === 'task') {
    for (const c of n.criteria) children.push(`    criterion ${c.id}  ${c.text}`);
    for (const s of n.steps) children.push(`    step ${s.id}  ${s.title}`);
  }
  if (children.length > 0) lines.push('  contains:', ...children);
  return lines.join('\n');
}
