/**
 * Which headings are phases, decided with the whole outline in view: the level at which the
 * document lists its work, parents above leaf phases, schedules that restate the phases,
 * headings that only mention a phase, and, without any phase vocabulary, the highest
 * headings that hold planned work. Each rule is a small named function.
 */
import type { PhaseKind } from '../ir/index.js';
import type { Outline, OutlineHeading } from './outline.js';
import { workIn } from './outline.js';
import { isDay, matchPhase, type PhaseMatch } from './phase-words.js';
import { withoutLeadingNoise } from './patterns.js';

/** What the reader decided about one heading, and why (for `--explain`). */
export interface HeadingReading {
  readonly line: number;
  readonly text: string;
  /** The phase it opens; undefined when it is no phase. */
  readonly phase: PhaseMatch | undefined;
  /** The 0-based line of the phase this heading belongs to by name (a mention), if any. */
  readonly mentionOf: number | undefined;
  readonly why: string;
}

/** The reader's decisions, by 0-based heading line. */
export interface PhasePlan {
  readonly byLine: ReadonlyMap<number, HeadingReading>;
  readonly readings: readonly HeadingReading[];
}

/** A hint that overrides the reading: the heading level that holds the phases. */
export interface PhaseHint {
  readonly level?: number | undefined;
  /** Headings before this 0-based line (front matter) are not read. */
  readonly after?: number | undefined;
}

const TIMEBOX: ReadonlySet<PhaseKind> = new Set(['sprint', 'week']);

/** Words after a phase label that make the heading a mention of the phase, not a new one. */
const MENTION_REST_RE =
  /^(?:[-–—:：]\s*)?(?:completion|success|exit|acceptance|goals?|checklist|criteria|summary|overview|report|review|retrospective|results?|checkpoint|ゴール|目標|完了|チェックリスト|체크리스트|완료|완成|完成|总结|報告|报告|검토|итог|критери|чек-?лист|criterios|resumen|checklist|ziele|zusammenfassung)/iu;

/** Anywhere in the rest of a heading that repeats a phase's label: it mentions the phase. */
const MENTION_ANYWHERE_RE =
  /(?<![\p{L}])(?:completion|success|exit|acceptance)\s+criteria|checklist|done when|completad[ao] cuando|conclu[íi]d[ao] quando|체크리스트|완료\s*기준|完成报告|完了条件|チェックリスト|критерии/iu;

/** Sections that do no planning, whatever they hold. */
const NON_PLANNING_RE =
  /^(?:overview|summary|introduction|background|context|architecture|api|reference|references|legend|glossary|risks?|risk mitigation|changelog|change log|history|notes?|implementation notes|description|known issues|tech(?:nical)? debt|metrics|success metrics|kpis?|goals?|metrics & goals|contributing|contributors?|license|faq|table of contents|contents|toc|appendix|status|progress|current|definition of done|acceptance|success criteria|exit criteria|deployment|environment|configuration|troubleshooting|tips|contacts?|testing strategy|testing plan|file change plan|format|path conventions|execution flow|dependencies|parallel|implementation strategy|rollout|deployment strategy|historical|what changed|module ownership|suggested|resumen|riesgos?|notas?|arquitectura|referencias|problemas|contexto|descripci[óo]n|métricas|metricas|übersicht|zusammenfassung|hinweise|risiken|mitwirken|beitragen|prinzipien|entwicklungs|wie man|обзор|риски|примечания|наблюдения|概要|概述|总结|风险|背景|目录|참고|개요|목차|기술 스택|프로젝트 구조|テスト|トラブル|エスカレーション)/iu;

/** Work labels that name a phase of their own when nothing else does (`## Tasks`). */
const WORK_LABEL_RE =
  /^(?:tasks?|sub-?tasks|task breakdown|parent tasks|implementation plan|implementation steps|work items|todo|to-?do list|action items|backlog|tareas|tarefas|aufgaben|t[âa]ches|задачи|任务|任务清单|タスク|작업)$/iu;

/** A heading with a duration in its title: `Quick Wins (1 Day)`. */
const DURATION_RE =
  /\(\s*\d+(?:[.,]\d+)?\s*(?:[-–]\s*\d+\s*)?(?:h|hours?|days?|weeks?|d[íi]as?|semanas?|horas?|tage?|wochen?|日|天|周|週間?)\s*\)/iu;

/** Priority tiers: `P0 — Critical`, `High Priority`, `Nice-to-Have`, `Prioridad Alta`. */
const TIER_RE =
  /^(?:P[0-4](?![\p{L}\p{N}])|(?:high|medium|low|critical|top|normal)[-\s]+priority|priority[\s:–—-]+(?:high|medium|low|critical)|nice[-\s]to[-\s]have|must[-\s]have|should[-\s]have|could[-\s]have|prioridad(?:e)?\s+(?:alta|media|baja)|(?:alta|media|baja)\s+prioridad(?:e)?|priorit[ée]\s+(?:haute|moyenne|basse)|(?:hohe|mittlere|niedrige)\s+priorit[äa]t|(?:высокий|средний|низкий)\s+приоритет|高优先级|中优先级|低优先级|優先度[高中低])/iu;

function core(h: OutlineHeading): string {
  return withoutLeadingNoise(h.text);
}

/** `Phase 2 Completion Criteria`, `Week 1 Goals`: a heading that names a phase but only mentions it. */
export function isMention(pm: PhaseMatch): boolean {
  return pm.label !== undefined && MENTION_REST_RE.test(pm.rest);
}

function isTimebox(pm: PhaseMatch): boolean {
  return TIMEBOX.has(pm.kind) || isDay(pm);
}

/** The title names this phase (`… Week 1 plan` and a heading `Week 1 goals`). */
function titleNames(o: Outline, title: number, pm: PhaseMatch): boolean {
  const t = o.headings[title];
  if (!t || pm.label === undefined || !pm.word) return false;
  const text = t.text.toLowerCase();
  const word = pm.word.toLowerCase();
  const label = pm.label.toLowerCase();
  // Named inside the title (`… Week 1 plan`), not at its start (where it would be a phase).
  for (let at = text.indexOf(word, 1); at !== -1; at = text.indexOf(word, at + 1)) {
    const rest = text.slice(at + word.length).trimStart();
    if (rest.startsWith(label) && !/^[\p{L}\p{N}]/u.test(rest.slice(label.length))) return true;
  }
  return false;
}

/** Names weaker than “Phase”: days, bare versions, quarters, `M2 —`; they need a series. */
function isWeak(pm: PhaseMatch): boolean {
  return isDay(pm) || pm.word === 'v' || pm.word === 'quarter' || pm.word === '';
}

/** Per parent heading, how many children use each phase word, and whether one has a number. */
interface SiblingFacts {
  readonly words: Map<string, number>;
  readonly numbered: Set<number>;
}

function siblingFacts(o: Outline, matches: readonly (PhaseMatch | undefined)[]): SiblingFacts {
  const words = new Map<string, number>();
  const numbered = new Set<number>();
  for (const h of o.headings) {
    const pm = matches[h.index];
    if (!pm) continue;
    const key = `${h.parent}:${pm.word.toLowerCase()}`;
    words.set(key, (words.get(key) ?? 0) + 1);
    if (pm.label !== undefined && /^\d/u.test(pm.label)) numbered.add(h.parent);
  }
  return { words, numbered };
}

function hasWeakSibling(f: SiblingFacts, h: OutlineHeading, pm: PhaseMatch): boolean {
  return (f.words.get(`${h.parent}:${pm.word.toLowerCase()}`) ?? 0) > 1;
}

/** `Phase X report` beside numbered phases: a template. */
function isTemplate(f: SiblingFacts, h: OutlineHeading, pm: PhaseMatch): boolean {
  if (!pm.label || !/^[XNY]$/iu.test(pm.label)) return false;
  return h.parent >= 0 && f.numbered.has(h.parent);
}

/** A section that does no planning: overview, architecture, legend, risks, changelog… */
export function isNonPlanning(text: string): boolean {
  return NON_PLANNING_RE.test(withoutLeadingNoise(text).replace(/^\d+(?:\.\d+)*[.)]?\s*/u, ''));
}

/** A priority tier heading. */
export function isTier(text: string): boolean {
  return TIER_RE.test(withoutLeadingNoise(text));
}

/** Whether `child`'s label is a sub-label of `parent`'s (`1` → `1A`, `1.2`). */
function subLabel(parent: PhaseMatch, child: PhaseMatch): boolean {
  if (parent.label === undefined || child.label === undefined) return false;
  return (
    child.label.length > parent.label.length &&
    child.label.toUpperCase().startsWith(parent.label.toUpperCase())
  );
}

interface Candidate {
  readonly h: OutlineHeading;
  readonly pm: PhaseMatch;
}

function ancestors(o: Outline, h: OutlineHeading): OutlineHeading[] {
  const out: OutlineHeading[] = [];
  for (let p = h.parent; p >= 0; p = o.headings[p]?.parent ?? -1) {
    const a = o.headings[p];
    if (a) out.push(a);
  }
  return out;
}

/** The nearest candidate above `h`, if any. */
function candidateAbove(
  o: Outline,
  h: OutlineHeading,
  byIndex: ReadonlyMap<number, Candidate>,
): Candidate | undefined {
  for (const a of ancestors(o, h)) {
    const c = byIndex.get(a.index);
    if (c) return c;
  }
  return undefined;
}

/** Headings that are the document's title: the first level-1 heading, when nothing precedes it at level 1. */
function titleIndex(o: Outline): number {
  return o.headings.findIndex((h) => h.level === 1);
}

/**
 * Decide which headings are phases. Rules, in order:
 * 1. Headings with phase vocabulary (Phase, Milestone, Sprint, Week, Day, Version, Q1, M2…),
 *    except the title and mentions (`Phase 2 Completion Criteria`), are candidates; so are
 *    priority tiers directly under the title.
 * 2. A candidate with candidates below it: timeboxes (Sprint, Week) under a named phase are
 *    its schedule; phases or milestones below are its leaves and the parent does not count,
 *    unless their labels are not sub-labels of its own (mis-levelled siblings).
 * 3. Candidates outside every other candidate count only at the highest level among them: a
 *    parallel schedule lower down restates the plan.
 * 4. Beside named phases, a sibling with a duration in its title (`Quick Wins (1 Day)`) is a
 *    stage too; after tiers, following siblings that hold work are tiers too.
 * 5. Without any candidate, the highest headings that hold planned work, at one level.
 */
export function planPhases(o: Outline, hint: PhaseHint = {}): PhasePlan {
  const readings = new Map<number, HeadingReading>();
  const title = titleIndex(o);
  const set = (h: OutlineHeading, phase: PhaseMatch | undefined, why: string, mention?: number) =>
    readings.set(h.line, { line: h.line, text: h.text, phase, mentionOf: mention, why });

  if (hint.level !== undefined) {
    for (const h of o.headings) {
      if (h.level === hint.level && h.line >= (hint.after ?? 0))
        set(
          h,
          matchPhase(core(h)) ?? sectionMatch(h),
          `the hint says phases are level-${hint.level} headings`,
        );
      else set(h, undefined, `the hint says phases are level-${hint.level} headings`);
    }
    return finish(o, readings);
  }

  const matches = o.headings.map((h) => matchPhase(core(h)));
  const facts = siblingFacts(o, matches);
  const cands = new Map<number, Candidate>();
  for (const h of o.headings) {
    const c = core(h);
    const pm = matches[h.index];
    if (pm && pm.kind !== 'stream') {
      if (
        h.index === title &&
        !o.headings.some((x) => x.level === 1 && x !== h && matchPhase(core(x)))
      )
        set(h, undefined, 'the document title, not a phase');
      else if (titleNames(o, title, pm))
        set(
          h,
          undefined,
          `names ${pm.word} ${pm.label ?? ''}, which the title names: the whole document, not a phase`,
        );
      else if (isWeak(pm) && !hasWeakSibling(facts, h, pm))
        set(
          h,
          undefined,
          `a lone “${pm.word || pm.label}” heading: such names mark phases only as a series`,
        );
      else if (isTemplate(facts, h, pm))
        set(h, undefined, `a template (${pm.word} ${pm.label ?? ''}), not a phase`);
      else cands.set(h.index, { h, pm });
      continue;
    }
    if (isTier(h.text) && (h.parent === -1 || h.parent === title)) {
      cands.set(h.index, { h, pm: { kind: 'priority', word: '', label: undefined, rest: c } });
    }
  }

  // Inside a section that does no planning (a changelog's versions), nothing is a phase.
  const nonPlanning = new Map<number, boolean>();
  const doesNoPlanning = (a: OutlineHeading): boolean => {
    let v = nonPlanning.get(a.index);
    if (v === undefined) nonPlanning.set(a.index, (v = isNonPlanning(a.text)));
    return v;
  };
  for (const c of [...cands.values()]) {
    // The title names the whole document (“Status Demo”), not a section inside it.
    const host = ancestors(o, c.h).find((a) => a.index !== title && doesNoPlanning(a));
    if (host) {
      cands.delete(c.h.index);
      set(c.h, undefined, `inside “${host.text}”, a section that does no planning`);
    }
  }

  // Mentions of an earlier phase (`Phase 2 Completion Criteria`) are not new phases.
  const seen = new Set<string>();
  for (const c of [...cands.values()].sort((a, b) => a.h.line - b.h.line)) {
    const key = `${c.pm.kind}:${c.pm.label ?? ''}`;
    if (
      c.pm.label !== undefined &&
      seen.has(key) &&
      (isMention(c.pm) || MENTION_ANYWHERE_RE.test(c.pm.rest))
    ) {
      cands.delete(c.h.index);
      set(
        c.h,
        undefined,
        `mentions ${c.pm.word} ${c.pm.label} (“${c.pm.rest}”) again: not a new phase`,
      );
    }
    seen.add(key);
  }

  // Rule 2: nesting.
  const drop = new Set<number>();
  for (const c of cands.values()) {
    const above = candidateAbove(o, c.h, cands);
    if (!above) continue;
    if (isTimebox(c.pm) && !isTimebox(above.pm)) {
      drop.add(c.h.index);
      set(c.h, undefined, `a ${c.pm.kind} inside “${above.h.text}”: its schedule, not a phase`);
    } else if (subLabel(above.pm, c.pm) || c.pm.kind !== above.pm.kind) {
      drop.add(above.h.index);
      set(
        above.h,
        undefined,
        `holds the phases below it (“${c.h.text}”…); they are counted instead`,
      );
    }
  }
  for (const i of drop) cands.delete(i);

  // Rule 3: the highest level among candidates not inside another candidate.
  let top = Infinity;
  for (const c of cands.values())
    if (!candidateAbove(o, c.h, cands)) top = Math.min(top, c.h.level);
  for (const c of [...cands.values()]) {
    if (c.h.level > top && isTimebox(c.pm) && !candidateAbove(o, c.h, cands)) {
      cands.delete(c.h.index);
      set(
        c.h,
        undefined,
        `a ${c.pm.kind} below the level of the phases (level ${top}): a schedule that restates them`,
      );
    }
  }

  // Rule 4: stages and tiers without the words.
  if (cands.size > 0) extendSiblings(o, cands, set);

  if (cands.size === 0) fallback(o, title, cands, set);

  for (const c of cands.values()) set(c.h, c.pm, whyPhase(c));
  // Mentions point at the phase they name.
  const byKey = new Map<string, number>();
  for (const c of [...cands.values()].sort((a, b) => a.h.line - b.h.line)) {
    const key = `${c.pm.kind}:${c.pm.label ?? ''}`;
    if (c.pm.label !== undefined && !byKey.has(key)) byKey.set(key, c.h.line);
  }
  for (const h of o.headings) {
    const r = readings.get(h.line);
    if (r?.phase || cands.has(h.index)) continue;
    const pm = matchPhase(core(h));
    if (pm?.label !== undefined && (isMention(pm) || MENTION_ANYWHERE_RE.test(pm.rest))) {
      const of = byKey.get(`${pm.kind}:${pm.label}`);
      if (of !== undefined)
        set(h, undefined, `names ${pm.word} ${pm.label}: belongs to that phase`, of);
    }
  }
  return finish(o, readings);
}

function whyPhase(c: Candidate): string {
  if (c.pm.word)
    return `level-${c.h.level} heading named “${c.pm.word}${c.pm.label ? ' ' + c.pm.label : ''}”`;
  if (c.pm.kind === 'priority') return `a priority tier at level ${c.h.level}`;
  return `level-${c.h.level} heading that holds planned work`;
}

function sectionMatch(h: OutlineHeading): PhaseMatch {
  const c = core(h);
  const num = /^(\d+(?:\.\d+)*)[.)]?\s+(.*)$/u.exec(c);
  return num
    ? { kind: 'section', word: '', label: num[1], rest: (num[2] ?? '').trim() }
    : { kind: 'section', word: '', label: undefined, rest: c };
}

function extendSiblings(
  o: Outline,
  cands: Map<number, Candidate>,
  set: (h: OutlineHeading, pm: PhaseMatch | undefined, why: string) => void,
): void {
  // Per parent: the level of its candidates and whether they are tiers (one pass).
  const parents = new Map<number, { level: number; tiers: boolean }>();
  for (const c of cands.values()) {
    const seen = parents.get(c.h.parent);
    const tier = c.pm.kind === 'priority' && !c.pm.word;
    if (seen) seen.tiers ||= tier;
    else parents.set(c.h.parent, { level: c.h.level, tiers: tier });
  }
  const roots = o.headings.filter((h) => h.parent === -1).map((h) => h.index);
  for (const [p, { level, tiers }] of parents) {
    const sibs = p >= 0 ? (o.headings[p]?.children ?? []) : roots;
    let afterTier = false;
    for (const i of sibs) {
      const h = o.headings[i] as OutlineHeading;
      if (h.level !== level) continue;
      const c = cands.get(i);
      if (c) {
        afterTier = tiers;
        continue;
      }
      const holdsWork = workIn(h.all) > 0 && !isNonPlanning(h.text);
      const hasVocab = hasCandidateWords(o, h);
      if (tiers && afterTier && holdsWork && !hasVocab) {
        cands.set(i, { h, pm: { kind: 'priority', word: '', label: undefined, rest: core(h) } });
        continue;
      }
      afterTier = false;
      if (!tiers && holdsWork && DURATION_RE.test(h.text) && !hasVocab)
        cands.set(i, { h, pm: { kind: 'stage', word: '', label: undefined, rest: core(h) } });
      else if (!cands.has(i)) set(h, undefined, 'no phase vocabulary beside headings that have it');
    }
  }
}

function hasCandidateWords(o: Outline, h: OutlineHeading): boolean {
  const stack = [...h.children];
  while (stack.length > 0) {
    const k = stack.pop() as number;
    const x = o.headings[k] as OutlineHeading;
    const pm = matchPhase(core(x));
    if (pm && pm.kind !== 'stream') return true;
    stack.push(...x.children);
  }
  return false;
}

/** Rule 5: no phase vocabulary anywhere. */
function fallback(
  o: Outline,
  title: number,
  cands: Map<number, Candidate>,
  set: (h: OutlineHeading, pm: PhaseMatch | undefined, why: string) => void,
): void {
  let level: OutlineHeading[] = o.headings.filter((h) => h.parent === -1 && h.index !== title);
  if (title >= 0)
    level = [
      ...(o.headings[title]?.children.map((i) => o.headings[i] as OutlineHeading) ?? []),
      ...level.filter((h) => h.level > 1),
    ];
  for (let guard = 0; guard < 6; guard++) {
    const planning = level.filter((h) => {
      if (isNonPlanning(h.text)) {
        set(h, undefined, 'a section that does no planning');
        return false;
      }
      if (h.all.items === 0) {
        set(h, undefined, 'holds no listed work');
        return false;
      }
      return true;
    });
    if (planning.length === 1) {
      const only = planning[0] as OutlineHeading;
      const kids = only.children
        .map((i) => o.headings[i] as OutlineHeading)
        .filter((h) => h.all.items > 0 && !isNonPlanning(h.text));
      if (kids.length >= 2 && !WORK_LABEL_RE.test(core(only).replace(/[:：]\s*$/u, ''))) {
        set(only, undefined, 'holds the work areas below it; they are the phases');
        level = only.children.map((i) => o.headings[i] as OutlineHeading);
        continue;
      }
    }
    for (const h of planning) cands.set(h.index, { h, pm: sectionMatch(h) });
    return;
  }
}

function finish(o: Outline, readings: Map<number, HeadingReading>): PhasePlan {
  for (const h of o.headings)
    if (!readings.has(h.line))
      readings.set(h.line, {
        line: h.line,
        text: h.text,
        phase: undefined,
        mentionOf: undefined,
        why: 'not a phase heading',
      });
  const list = [...readings.values()].sort((a, b) => a.line - b.line);
  return { byLine: readings, readings: list };
}
