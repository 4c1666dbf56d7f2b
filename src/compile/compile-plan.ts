/**
 * `compilePlan`: bytes in, a Pulser IR plan and diagnostics out. Decode, repair mojibake,
 * one markdown-it parse, one linear pass over its tokens, then freeze.
 */
import type { Diagnostic, Plan, SourcePos, Task } from '../ir/index.js';
import { IR_VERSION } from '../ir/version.js';
import { decodeSource, lineStarts, repairMojibake } from '../source/index.js';
import { Builder } from './builder.js';
import { freezeDecision, freezeItems, freezePhase, freezeTask, signalled } from './drafts.js';
import { markdown, maxNesting, type MarkdownEnv } from './markdown.js';
import { runPass } from './pass.js';
import { buildOutline } from './outline.js';
import { readHint } from './hints.js';
import { planPhases, type HeadingReading } from './phase-plan.js';

/**
 * The largest plan {@link compilePlan} reads, in bytes (4 MiB: eighty times the largest seed).
 * Compiling takes memory in proportion to the input, up to some 300 bytes per byte of a plan
 * made of nothing but one-word list items; past this size a file is refused with an error
 * diagnostic rather than risk running the process out of memory.
 */
export const MAX_PLAN_BYTES = 4 * 1024 * 1024;

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Options of {@link compilePlan}. */
export interface CompileOptions {
  /**
   * Path of the plan, recorded in the IR and used in diagnostics.
   * @default '<input>'
   */
  readonly path?: string;
}

/** What {@link compilePlan} returns: the plan (null when the input is not a text plan) and diagnostics. */
export interface CompileResult {
  readonly plan: Plan | null;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
  /** Why each heading is or is not a phase (for `pulser summary --explain`). */
  readonly headings?: ReadonlyArray<HeadingReading>;
  /** Where a status was stated away from its node (a row of an overview table), by node ID. */
  readonly statusAt?: Readonly<Record<string, SourcePos>>;
}

function fallbackTitle(path: string): string {
  const base = path.split(/[\\/]/u).pop() ?? '';
  return base.replace(/\.[^.]*$/u, '') || 'Untitled plan';
}

function resolver(b: Builder): (ref: string) => string | undefined {
  const byLabel = new Map<string, string>();
  const all = [...b.planTasks, ...b.phases.flatMap((p) => p.tasks)];
  for (const t of all) {
    for (const key of [t.label, ...t.externalIds]) {
      if (key !== undefined && !byLabel.has(key.toLowerCase()))
        byLabel.set(key.toLowerCase(), t.id);
    }
  }
  return (ref) => byLabel.get(ref.toLowerCase());
}

/**
 * Compile a markdown plan's bytes into the Pulser IR. Pure and deterministic: the same bytes
 * give a byte-identical plan. Never throws on bad input; problems come back as diagnostics
 * (the plan is null when nothing could be compiled: binary input, more than
 * {@link MAX_PLAN_BYTES}).
 *
 * @example
 * const { plan, diagnostics } = compilePlan(await readFile('NEXT_STEPS.md'), { path: 'NEXT_STEPS.md' });
 */
export function compilePlan(bytes: Uint8Array, options: CompileOptions = {}): CompileResult {
  const file = options.path ?? '<input>';
  if (bytes.length > MAX_PLAN_BYTES) {
    const message = `The file is ${megabytes(bytes.length)}, more than the ${megabytes(MAX_PLAN_BYTES)} Pulser reads in one plan. Split the plan into several files.`;
    return {
      plan: null,
      diagnostics: [
        { code: 'source/too-large', severity: 'error', message, file, line: 1, column: 1 },
      ],
    };
  }
  const decoded = decodeSource(bytes, { path: file });
  const diagnostics: Diagnostic[] = [...decoded.diagnostics];
  if (decoded.binary) return { plan: null, diagnostics };

  const starts = lineStarts(decoded.text);
  const repair = repairMojibake(decoded.text, starts);
  const first = repair.unrepaired[0];
  if (first && repair.repairedFrom) {
    const lines = [...new Set(repair.unrepaired.map((u) => u.line))];
    diagnostics.push({
      code: 'source/mojibake-unrepaired',
      severity: 'warning',
      message: `${repair.unrepaired.length} sequence(s) look like UTF-8 read as ${repair.repairedFrom} but could not be repaired (a byte was lost when the file was saved), on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}, e.g. ${JSON.stringify(first.text.trim())}; fix them by hand.`,
      file,
      line: first.line,
      column: 1,
    });
  }
  if (repair.ambiguous) {
    const { encodings, lines } = repair.ambiguous;
    diagnostics.push({
      code: 'source/mojibake-ambiguous',
      severity: 'warning',
      message: `Text on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} looks like UTF-8 read as ${encodings.join(' or ')}, but the repair is not certain, so it was left as it is; re-save the file as UTF-8 with the right characters.`,
      file,
      line: lines[0] ?? 1,
      column: 1,
    });
  }
  const b = new Builder({ original: decoded.text, starts, file });
  // Decoding rejected NUL (binary input) and repairs add neither NUL nor `\r`: with LF or no
  // line breaks at all, markdown-it's normalization pass has nothing to do.
  const env: MarkdownEnv = {
    normalized: decoded.lineEnding === 'lf' || decoded.lineEnding === 'none',
  };
  const tokens = markdown().parse(repair.text, env);
  const outline = buildOutline(tokens);
  b.phasePlan = planPhases(outline, readHint(repair.text));
  b.outlineByLine = new Map(outline.headings.map((h) => [h.line, h]));
  const { maxLevel, maxLevelLine } = runPass(b, tokens);
  const limit = maxNesting();
  if (maxLevel >= limit - 1) {
    b.diag(
      'compile/nesting-limit',
      'warning',
      `Content is nested more than ${limit} levels deep; what lies deeper was not read. Flatten the nesting.`,
      b.pos(maxLevelLine),
    );
  }
  if (decoded.text.trim() === '') {
    b.diag('compile/empty', 'warning', 'The plan is empty: there is nothing to compile.', {
      line: 1,
      column: 1,
    });
  }
  diagnostics.push(...b.diagnostics);

  const statusAt: Record<string, SourcePos> = {};
  for (const row of b.phaseRowStatus) {
    for (const p of b.phases) {
      if (p.label === row.label && p.status === undefined) {
        p.status = row.status;
        p.statusText = row.text;
        statusAt[p.id] = row.pos;
      }
    }
  }
  const resolve = resolver(b);
  // A plan none of whose tasks says its status: phases without a marker are `unknown`.
  const silent = !b.planTasks.some(signalled) && !b.phases.some((p) => p.tasks.some(signalled));
  const phases = b.phases.map((p) => freezePhase(p, resolve, silent));
  const tasks: Task[] = b.planTasks.map((t) => freezeTask(t, resolve));
  const plan: Plan = {
    kind: 'plan',
    irVersion: IR_VERSION,
    title: b.title ?? fallbackTitle(file),
    source: {
      path: file,
      sha256: decoded.sha256,
      bytes: decoded.bytes,
      encoding: decoded.encoding,
      bom: decoded.bom,
      lineEnding: decoded.lineEnding,
      repairs: repair.repairs,
    },
    repairedFrom: repair.repairedFrom,
    phases,
    tasks,
    checklist: freezeItems(b.planChecklist),
    criteria: b.planCriteria,
    steps: b.planSteps,
    metrics: b.metrics,
    decisions: b.decisions.map(freezeDecision),
    owners: [...b.mentions],
  };
  return { plan, diagnostics, headings: b.phasePlan.readings, statusAt };
}
