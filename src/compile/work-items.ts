/**
 * Which list items and headings inside a phase are its tasks: Spec Kit `- [ ] T001 [P] [US1] …`,
 * Kiro `- [ ] 1. …` with flat `1.1` steps, status bullets (`- ✅ …`), struck-through items,
 * items under work labels, and sub-headings that carry task metadata. Small, named rules.
 */
import { estimateInTitle } from './estimate.js';
import type { SpanCounts } from './outline.js';
import { EXTERNAL_ID_RE, PRIORITY_RE, TASK_HEADING_RE, withoutLeadingNoise } from './patterns.js';
import { statusInTitle } from './status.js';

/** A Spec Kit task line: `T001 [P] [US1] Create …`. */
const SPEC_KIT_RE = /^(T\d{2,4})(?![\p{L}\p{N}])\s*((?:\[[^\]]{1,12}\]\s*)*)(.*)$/u;
/** A Kiro task line: `1. Set up …`, `12. Checkpoint`. */
const KIRO_TASK_RE = /^(\d{1,3})\.\s+\S/u;
/** A Kiro step line written flat: `1.1 Create …`, `2.3. Add …`. */
const KIRO_STEP_RE = /^(\d{1,3})\.\d{1,3}\.?\s+\S/u;
/** Headings whose items are not work: goals, rationale, architecture, notes, outputs. */
const NON_WORK_RE =
  /^(?:(?:sub-?)?goals?|objectives?|why\b|rationale|background|context|overview|architecture|design|deliverable$|outputs?|results?|notes?|risks?|risk mitigation|mitigation|metrics|sprint metrics|performance targets|testing strategy|test strategy|key functions|files?\b|file structure|dependencies|prerequisites|references?|examples?|code example|sample|benefits|advantages|vorteile|ursprünglicher|wichtige errungenschaften|errungenschaften|achievements|metrics achieved|current|troubleshooting|summary|status|progress|timeline|schedule|estimated|effort|out of scope|won['’]?t[- ]have|non-goals|目标|目標|架构|输出物|成果物|文件结构|核心代码|成果展示|背景|概要|注意|リスク|メトリクス|목표|아키텍처|objetivo$|objetivos?\s+generales|arquitectura|riesgos|notas|ziele$|архитектура|наблюдения|цель|риски)/iu;
/** A heading that ends in a non-work noun: `Critical Dependencies`, `Open Risks`, `Key Notes`. */
const NON_WORK_TAIL_RE =
  /\b(?:dependencies|prerequisites|risks|notes|references|metrics|abh[äa]ngigkeiten|risiken|dependencias|riesgos|depend[êe]ncias|riscos|d[ée]pendances|risques|зависимости|риски)$/iu;
/** Leading marks that give an item a status: done, in progress, pending, blocked. */
const STATUS_BULLET_RE = /^(?:✅|✔️?|☑️?|⏳|🔄|🚧|⚪|🟢|❌|⏭️?|📋|📝|🔜|⬜|☐|\[(?:x|X| |~|-)\])/u;

/**
 * An hour budget in a title: `(Hours 5-8)`, `(Horas 1–4)`. (A `(Week 1)` or `(Sprint 2)` under
 * a phase is its schedule, a grouping.)
 */
const HOUR_BOX_RE = /\((?:hours?|horas?|stunden|heures?|часы)\s+\d+(?:\s*[-–]\s*\d+)?\)/iu;

/** A day's named work: `Monday (Week 5): Merge All Features`. */
const WEEKDAY_TASK_RE =
  /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|mi[ée]rcoles|jueves|viernes|segunda|ter[çc]a|quarta|quinta|sexta|lundi|mardi|mercredi|jeudi|vendredi|montag|dienstag|mittwoch|donnerstag|freitag)\b[^:：]*[:：]\s*\S/iu;

/** Spec Kit fields of a task line: ID, parallel marker, story tags. */
export interface SpecKitTask {
  readonly id: string;
  readonly parallel: boolean;
  readonly tags: readonly string[];
}

/** The Spec Kit ID, `[P]` and `[USn]` tags of a task line, if it is one. */
export function specKitTask(text: string): SpecKitTask | undefined {
  const m = SPEC_KIT_RE.exec(text);
  if (!m) return undefined;
  const tags = [...(m[2] ?? '').matchAll(/\[([^\]]+)\]/gu)].map((t) => t[1] ?? '');
  return { id: m[1] ?? '', parallel: tags.includes('P'), tags: tags.filter((t) => t !== 'P') };
}

/** The Kiro task number of `1. Set up …`, if the line is one. */
export function kiroTaskNumber(text: string): string | undefined {
  return KIRO_TASK_RE.exec(text)?.[1];
}

/** The task number `N` of a flat Kiro step `N.M …`, if the line is one. */
export function kiroStepParent(text: string): string | undefined {
  return KIRO_STEP_RE.exec(text)?.[1];
}

/** A heading or label whose items are not work (goals, rationale, architecture, notes…). */
export function isNonWork(text: string): boolean {
  const core = withoutLeadingNoise(text)
    .replace(/^\d+(?:\.\d+)*[.)]?\s*/u, '')
    .replace(/[\s:：]+$/u, '');
  return NON_WORK_RE.test(core) || NON_WORK_TAIL_RE.test(core);
}

/** An item that starts with a status mark (`✅ …`, `⏳ …`). */
export function isStatusBullet(text: string): boolean {
  return STATUS_BULLET_RE.test(text);
}

/**
 * A sub-heading that carries task metadata is one task: an estimate or hour budget in its title
 * (`(2 hours)`, `(30 min)`, `(Hours 5-8)`), a single number (`1. API Gateway`), or a dotted number with no
 * checklist of its own whose body is prose (`22.3. Install …`; code alone is no task), or
 * metadata lines
 * of its own (`Dependencies: 22.1`, `Priority: high`, `Owner: …`, `Estimate: …`).
 */
export function headingIsTask(core: string, own: SpanCounts | undefined): boolean {
  if (estimateInTitle(core) || HOUR_BOX_RE.test(core)) return true;
  if (own !== undefined && own.meta > 0) return true;
  if (WEEKDAY_TASK_RE.test(core)) return true;
  const bare = core.replace(/^\*+/u, '');
  if (/^\d{1,3}[.)]\s+\S/u.test(bare)) return true;
  if (/^\d{1,3}(?:\.\d{1,3})+\.?\s+\S/u.test(bare) && own !== undefined)
    return own.checkboxes === 0 && own.items === 0 && own.paragraphs > own.fences;
  return false;
}

/** A line that starts a list item. */
const LIST_ITEM_START_RE = /^\s*(?:[-*+]|\d{1,3}[.)])\s/u;

/**
 * A bold line that only names a group of items (`**1.2 Application Metrics**` over a list) is
 * a grouping, not a task: its items are the tasks. A bold line with task metadata (an
 * estimate, a status, a priority, a `Task` word or an ID) stays one task, and so does a bold
 * name over prose (the prose describes that one task).
 */
export function boldIsGrouping(line: string, next: string | undefined): boolean {
  if (next === undefined || !LIST_ITEM_START_RE.test(next)) return false;
  const core = withoutLeadingNoise(line);
  if (estimateInTitle(core) || statusInTitle(core) || PRIORITY_RE.test(core)) return false;
  return !TASK_HEADING_RE.test(core) && !EXTERNAL_ID_RE.test(core);
}

/** A first-level entry of a tree drawn in a code block: `├── [ ] Define priorities`. */
const TREE_ENTRY_RE = /^(?:├|└|\|--|`--|\+--)[─-]*\s*(\[[ xX]\]\s*)?(\S.*)$/u;

/** One first-level entry of a task tree in a code block. */
export interface TreeTask {
  readonly text: string;
  /** `[x]` done, `[ ]` open. */
  readonly checked: boolean;
  /** 0-based line inside the block. */
  readonly index: number;
}

/**
 * The tasks of a task tree drawn in a code block (`├── [ ] …` / `└── [x] …` at the left margin):
 * one per first-level entry, nested entries (`│   ├── …`) being its steps. Empty when the
 * block is not such a tree (no entry carries a `[ ]` marker).
 */
export function treeTasks(content: string): TreeTask[] {
  if (content.indexOf('[') === -1) return [];
  const out: TreeTask[] = [];
  let marked = false;
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = TREE_ENTRY_RE.exec((lines[i] as string).trimEnd());
    if (!m) continue;
    if (m[1] !== undefined) marked = true;
    out.push({ text: (m[2] ?? '').trim(), checked: /\[[xX]\]/u.test(m[1] ?? ''), index: i });
  }
  return marked ? out : [];
}
