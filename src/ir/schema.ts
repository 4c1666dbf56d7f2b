/**
 * The Pulser IR: the typed plan every other layer speaks. Runtime schemas (Zod) and TypeScript
 * types come from the one definition below; `planJsonSchema()` exports the JSON Schema.
 *
 * IDs are stable slugs derived from the document's structure (`phase-n4/task-2`), so that
 * re-importing an edited plan keeps the identity of every unchanged item.
 */
import { z } from 'zod';

import { IR_VERSION } from './version.js';

export { IR_VERSION };

/** Status of a task. */
export const TaskStatus = z.enum(['open', 'in_progress', 'done', 'blocked', 'deferred']);
/** Status of a task. */
export type TaskStatus = z.infer<typeof TaskStatus>;

/** Status of a phase: a task status, or `unknown` when the document does not say. */
export const PhaseStatus = z.enum([
  'open',
  'in_progress',
  'done',
  'blocked',
  'deferred',
  'unknown',
]);
/** Status of a phase. */
export type PhaseStatus = z.infer<typeof PhaseStatus>;

/** Where a node stands in the source document (1-based line and column, in the original text). */
export const SourcePos = z
  .object({
    line: z.number().int().positive(),
    column: z.number().int().positive(),
    endLine: z.number().int().positive().optional(),
  })
  .readonly();
/** Where a node stands in the source document. */
export type SourcePos = z.infer<typeof SourcePos>;

/** A numeric range; `min === max` for a single value. */
export const Range = z.object({ min: z.number(), max: z.number() }).readonly();
/** A numeric range. */
export type Range = z.infer<typeof Range>;

/** One part of an estimate: `2-3 days`, `400 LOC`, `(2 hours)`. */
export const EstimatePart = z
  .object({
    value: Range,
    unit: z.enum(['minutes', 'hours', 'days', 'weeks', 'months', 'loc', 'points']),
  })
  .readonly();
/** One part of an estimate. */
export type EstimatePart = z.infer<typeof EstimatePart>;

/** An estimate as written (`text`) and parsed (`parts`). */
export const Estimate = z
  .object({ text: z.string(), parts: z.array(EstimatePart).readonly() })
  .readonly();
/** An estimate. */
export type Estimate = z.infer<typeof Estimate>;

/** A checklist item (`- [ ]` / `- [x]`), possibly nested. */
export interface ChecklistItem {
  readonly kind: 'item';
  readonly id: string;
  readonly text: string;
  readonly checked: boolean;
  /** Position of the `[` of the checkbox mark in the original text (write-back edits here). */
  readonly pos: SourcePos;
  readonly children: ReadonlyArray<ChecklistItem>;
}
/** A checklist item (`- [ ]` / `- [x]`), possibly nested. */
export const ChecklistItem: z.ZodType<ChecklistItem> = z.lazy(() =>
  z
    .object({
      kind: z.literal('item'),
      id: z.string(),
      text: z.string(),
      checked: z.boolean(),
      pos: SourcePos,
      children: z.array(ChecklistItem).readonly(),
    })
    .readonly(),
);

/** Retry policy of a step: exponential backoff with jitter. */
export const RetryPolicy = z
  .object({
    maxRetries: z.number().int().nonnegative(),
    initialDelayMs: z.number().int().nonnegative(),
    maxDelayMs: z.number().int().nonnegative(),
    factor: z.number().positive(),
    jitter: z.number().min(0).max(1),
  })
  .readonly();
/** Retry policy of a step. */
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/** One executable action. Steps found in a document are untrusted until a person trusts them. */
export const Step = z
  .object({
    kind: z.literal('step'),
    id: z.string(),
    title: z.string(),
    tool: z.enum(['shell', 'mcp', 'http']),
    /** For `shell`: the script text exactly as written; for `mcp`/`http`: a JSON input. */
    input: z.string(),
    /** Fence language (`bash`, `sh`, `console`, ...) or `inline` for an inline command. */
    language: z.string(),
    /** SHA-256 of `tool`, `language` and `input` (`commandDigest`): what trust binds to. */
    digest: z.string(),
    timeoutMs: z.number().int().positive().optional(),
    retry: RetryPolicy.optional(),
    approval: z.enum(['auto', 'required']),
    idempotent: z.boolean(),
    fallback: z.string().optional(),
    lane: z.string().optional(),
    pos: SourcePos,
  })
  .readonly();
/** One executable action. */
export type Step = z.infer<typeof Step>;

/** A comparison parsed from a target phrase (`≥5%`, `<2% CPU`, `>4.0/5.0`, `-30-50%`). */
export const Comparison = z
  .object({
    op: z.enum(['>=', '>', '<=', '<', '==', 'between']),
    value: z.number(),
    /** Upper bound for `between`. */
    max: z.number().optional(),
    unit: z.string().optional(),
    /** Denominator of a score such as `4.0/5.0`. */
    scale: z.number().optional(),
    /** True for a relative change against a baseline (`-30-50%`, `+20%`). */
    relative: z.boolean().optional(),
  })
  .readonly();
/** A parsed comparison. */
export type Comparison = z.infer<typeof Comparison>;

/** A metric with a target: a row of a metrics table or a target phrase in a criterion. */
export const MetricTarget = z
  .object({
    kind: z.literal('metric'),
    id: z.string(),
    name: z.string(),
    /** The target as written. */
    target: z.string(),
    /** Parsed comparison; absent when the target could not be parsed (a diagnostic says why). */
    comparison: Comparison.optional(),
    /** The pass rule as written (`✅ if ≥5%`), when the document gives one. */
    passRule: z.string().optional(),
    /** The pass rule parsed, when it is a comparison (`✅ if ≥5%` → `>= 5 %`). */
    passComparison: Comparison.optional(),
    baseline: z.string().optional(),
    pos: SourcePos,
  })
  .readonly();
/** A metric with a target. */
export type MetricTarget = z.infer<typeof MetricTarget>;

/** How a criterion is checked. */
export const Verifier = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('command'),
      command: z.string(),
      expectExit: z.number().int().default(0),
      outputMatch: z.string().optional(),
    })
    .readonly(),
  z.object({ kind: z.literal('metric'), metric: z.string(), target: z.string() }).readonly(),
  z.object({ kind: z.literal('file'), path: z.string(), sha256: z.string().optional() }).readonly(),
  z.object({ kind: z.literal('manual'), approver: z.string().optional() }).readonly(),
]);
/** How a criterion is checked. */
export type Verifier = z.infer<typeof Verifier>;

/** An exit, acceptance, success, validation or go/no-go criterion. */
export const Criterion = z
  .object({
    kind: z.literal('criterion'),
    id: z.string(),
    text: z.string(),
    section: z.enum(['exit', 'acceptance', 'success', 'validation', 'go-no-go', 'evidence']),
    /** Checkbox state when the criterion is a checklist item, else absent. */
    checked: z.boolean().optional(),
    /** Mark-derived status (`✅`, `❌`, `⚠️`), when the document shows one. */
    status: TaskStatus.optional(),
    metric: z.string().optional(),
    verifier: Verifier.optional(),
    /** The body of a `<!-- verify: … -->` annotation on its line, as written (`check` binds it). */
    annotation: z.string().optional(),
    pos: SourcePos,
  })
  .readonly();
/** An exit, acceptance, success, validation or go/no-go criterion. */
export type Criterion = z.infer<typeof Criterion>;

/** A file a task says it creates or modifies. */
export const FileRef = z
  .object({
    path: z.string(),
    action: z.enum(['create', 'modify', 'create-or-modify', 'delete', 'unknown']),
    note: z.string().optional(),
  })
  .readonly();
/** A file a task names. */
export type FileRef = z.infer<typeof FileRef>;

/** A unit of work. Tasks are kept flat inside their phase; a sub-task names its `parent`. */
export const Task = z
  .object({
    kind: z.literal('task'),
    id: z.string(),
    title: z.string(),
    /** The label the document gives (`1.1`, `T-022`, `lift-sys-62`), if any. */
    label: z.string().optional(),
    externalIds: z.array(z.string()).readonly(),
    status: TaskStatus,
    /** The text that decided `status` (`(DONE)`, `✅`, `→ Closed`), if any. */
    statusText: z.string().optional(),
    owners: z.array(z.string()).readonly(),
    estimate: Estimate.optional(),
    deadline: z.string().optional(),
    priority: z.string().optional(),
    parent: z.string().optional(),
    lane: z.string().optional(),
    dependsOn: z.array(z.string()).readonly(),
    files: z.array(FileRef).readonly(),
    checklist: z.array(ChecklistItem).readonly(),
    criteria: z.array(Criterion).readonly(),
    steps: z.array(Step).readonly(),
    pos: SourcePos,
  })
  .readonly();
/** A unit of work. */
export type Task = z.infer<typeof Task>;

/** The rule that promotes a phase: all criteria verified, all metrics within target. */
export const Gate = z
  .object({
    kind: z.literal('gate'),
    id: z.string(),
    criteria: z.array(z.string()).readonly(),
    metrics: z.array(z.string()).readonly(),
  })
  .readonly();
/** The rule that promotes a phase. */
export type Gate = z.infer<typeof Gate>;

/** What a heading-level container is called in the document. */
export const PhaseKind = z.enum([
  'phase',
  'milestone',
  'week',
  'stream',
  'stage',
  'sprint',
  'priority',
  'section',
]);
/** What a container is called in the document. */
export type PhaseKind = z.infer<typeof PhaseKind>;

/** A phase, milestone, week, stream or stage. */
export const Phase = z
  .object({
    kind: z.literal('phase'),
    id: z.string(),
    title: z.string(),
    label: z.string().optional(),
    phaseKind: PhaseKind,
    status: PhaseStatus,
    statusText: z.string().optional(),
    goal: z.string().optional(),
    owners: z.array(z.string()).readonly(),
    dates: z.string().optional(),
    /** Effort of the whole phase, when the document gives one at phase level. */
    estimate: Estimate.optional(),
    lanes: z.array(z.string()).readonly(),
    tasks: z.array(Task).readonly(),
    /** Checklist items of the phase that belong to no task and are no criterion. */
    checklist: z.array(ChecklistItem).readonly(),
    criteria: z.array(Criterion).readonly(),
    /** Steps of the phase that belong to no task. */
    steps: z.array(Step).readonly(),
    metrics: z.array(z.string()).readonly(),
    gate: Gate,
    pos: SourcePos,
  })
  .readonly();
/** A phase, milestone, week, stream or stage. */
export type Phase = z.infer<typeof Phase>;

/** A decision point with options and, when given, a recommendation. */
export const Decision = z
  .object({
    kind: z.literal('decision'),
    id: z.string(),
    title: z.string(),
    question: z.string().optional(),
    options: z.array(z.object({ label: z.string(), text: z.string() }).readonly()).readonly(),
    recommendation: z.string().optional(),
    /** Label of the recommended option, when it names one. */
    recommended: z.string().optional(),
    pos: SourcePos,
  })
  .readonly();
/** A decision point. */
export type Decision = z.infer<typeof Decision>;

/** A code page whose mojibake (UTF-8 mis-read as it) is repaired. */
export const MojibakeEncoding = z.enum([
  'windows-1252',
  'macintosh',
  'windows-1250',
  'windows-1251',
  'windows-1254',
]);

/** A mojibake repair applied to the text before compiling. */
export const Repair = z
  .object({
    encoding: MojibakeEncoding,
    /** How many sequences were repaired. */
    count: z.number().int().nonnegative(),
    /** A few examples, `from` as found and `to` as repaired. */
    samples: z
      .array(z.object({ line: z.number().int(), from: z.string(), to: z.string() }).readonly())
      .readonly(),
  })
  .readonly();
/** A mojibake repair. */
export type Repair = z.infer<typeof Repair>;

/** Where a plan came from, and how its bytes were read. */
export const PlanSource = z
  .object({
    path: z.string(),
    sha256: z.string(),
    bytes: z.number().int().nonnegative(),
    encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']),
    bom: z.boolean(),
    lineEnding: z.enum(['lf', 'crlf', 'cr', 'mixed', 'none']),
    repairs: z.array(Repair).readonly(),
  })
  .readonly();
/** Where a plan came from. */
export type PlanSource = z.infer<typeof PlanSource>;

/** A compiled plan. Items outside any phase stay on the plan itself. */
export const Plan = z
  .object({
    kind: z.literal('plan'),
    irVersion: z.literal(IR_VERSION),
    title: z.string(),
    source: PlanSource,
    /** Mojibake encoding that was repaired, or null. */
    repairedFrom: MojibakeEncoding.nullable(),
    phases: z.array(Phase).readonly(),
    tasks: z.array(Task).readonly(),
    checklist: z.array(ChecklistItem).readonly(),
    criteria: z.array(Criterion).readonly(),
    steps: z.array(Step).readonly(),
    metrics: z.array(MetricTarget).readonly(),
    decisions: z.array(Decision).readonly(),
    owners: z.array(z.string()).readonly(),
  })
  .readonly();
/** A compiled plan. */
export type Plan = z.infer<typeof Plan>;

/** A compiler finding: an ambiguity, an unparsable target, unreadable input. */
export const Diagnostic = z
  .object({
    code: z.string(),
    severity: z.enum(['error', 'warning', 'info']),
    message: z.string(),
    file: z.string(),
    line: z.number().int().positive(),
    column: z.number().int().positive(),
  })
  .readonly();
/** A compiler finding. */
export type Diagnostic = z.infer<typeof Diagnostic>;

/** JSON Schema (draft 2020-12) of the Pulser IR's `Plan`. */
export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Plan, { target: 'draft-2020-12', io: 'output' });
}
