/**
 * The catalog of ledger events: one schema per event type, from which both the TypeScript type
 * of its data and the runtime check derive. Every event Pulser appends is checked here first
 * (an event whose data does not match its type, or whose type is not in the catalog, is refused
 * and nothing is written); every event a fold reads is checked again, and a mismatch is an error
 * that names the event's seq and type.
 *
 * Compatibility rules:
 * - The fields listed are checked; other fields are allowed (an older or newer Pulser may
 *   record more details), and a field older versions did not write is optional.
 * - A type that is not in the catalog (renamed or removed since an old database was written) is
 *   refused at append, and read as an `unknown` event: folds count it and skip it, and
 *   `pulser doctor` lists it. Reading never fails on it.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { StoreError } from '../errors/index.js';
import type { Plan } from './schema.js';

/** A verdict's status: what a verifier concluded about a criterion or metric. */
const VERDICT_STATUSES = ['pass', 'fail', 'pending', 'error', 'not_run'] as const;
/** A verdict's status. */
export type VerdictStatus = (typeof VERDICT_STATUSES)[number];
/** A gate's decided status. */
const GATE_STATUSES = ['pass', 'fail', 'pending'] as const;
/** A gate's decided status. */
export type GateStatus = (typeof GATE_STATUSES)[number];

/**
 * Builds the catalog with zod. It is built on first use (see {@link catalog}): loading zod costs
 * about as much as starting Node, and a command that only reads plans never checks an event.
 */
function buildCatalog(z: typeof Zod.z) {
  const str = z.string();
  const nullableStr = z.string().nullable();
  const int = z.number().int();
  const sha256 = z.string();

  const VerdictStatus = z.enum(VERDICT_STATUSES);
  const GateStatus = z.enum(GATE_STATUSES);

  const record = z.record(z.string(), z.unknown());

  // ---- plans ----

  const planImported = z
    .object({
      planId: str,
      path: str,
      sha256,
      version: int,
      diff: z.unknown(),
      /** The compiled IR (checked against the IR schema when a plan is loaded, not here). */
      ir: z.custom<Plan>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
        message: 'expected the compiled plan (an object)',
      }),
    })
    .readonly();

  const planWritten = z
    .object({
      planId: str,
      path: str,
      action: str,
      nodeId: str,
      fromSha256: sha256,
      toSha256: sha256,
      statusBefore: str.optional(),
      statusAfter: str.optional(),
      edits: z.array(z.unknown()).readonly(),
    })
    .readonly();

  // ---- checks, gates, metrics, signoffs ----

  const metricRecorded = z
    .object({
      planId: str,
      metric: str,
      value: z.number(),
      scale: z.number().optional(),
      unit: str.optional(),
      raw: str,
      note: str.optional(),
    })
    .readonly();

  const criterionSignedOff = z
    .object({
      planId: str,
      criterion: str,
      verdict: z.enum(['pass', 'fail']),
      reason: str,
      by: str,
      /** SHA-256 of the criterion's text when it was signed off. */
      textDigest: sha256,
    })
    .readonly();

  const verdictRecorded = z
    .object({
      planId: str,
      planSha: sha256,
      path: str,
      phaseId: nullableStr,
      target: str,
      targetKind: z.enum(['criterion', 'metric']),
      text: str,
      verifier: z.unknown(),
      source: str,
      /** The effective status (a flaky verifier's verdict is quarantined: `error`). */
      status: VerdictStatus,
      /** What the verifier itself observed. */
      observed: VerdictStatus,
      reason: str,
      evidence: record.readonly(),
      inputDigest: str,
      flaky: z.boolean(),
      /**
       * Digest of what the verdict depends on in the plan (see `planInputs`): it stays current
       * across versions of the plan that leave it unchanged. Absent in events of older versions.
       */
      inputs: str.optional(),
    })
    .readonly();

  const gateVerdict = z.object({ target: str, status: VerdictStatus, reason: str }).readonly();

  const gateDecided = z
    .object({
      planId: str,
      planSha: sha256,
      path: str,
      phaseId: str,
      gate: str,
      status: GateStatus,
      empty: z.boolean(),
      verdicts: z.array(gateVerdict).readonly(),
      blocking: z.array(str).readonly(),
      /** Files the gate's verdicts looked at: proof subjects. */
      artifacts: z.array(z.object({ name: str, sha256 }).readonly()).readonly(),
      /** Digest of what the gate depends on in the plan (see `planInputs`); absent in older events. */
      inputs: str.optional(),
    })
    .readonly();

  const gateForced = z
    .object({
      planId: str,
      phaseId: str,
      gate: str,
      status: z.string(),
      blocking: z.array(gateVerdict).readonly(),
      reason: nullableStr,
    })
    .readonly();

  const verifierQuarantined = z
    .object({
      planId: str,
      criterion: str,
      verifier: z.unknown(),
      inputDigest: str,
      reason: str,
    })
    .readonly();

  const reportGenerated = z.object({ format: str, sha256, bytes: int, throughSeq: int }).readonly();

  // ---- trust ----

  const trustGranted = z
    .object({ planId: str, path: str, sha256, grantId: int, items: int })
    .readonly();

  const trustRevoked = z.object({ planId: str, path: str, sha256, grantId: int }).readonly();

  // ---- runs and steps ----

  const runTarget = z
    .object({ planId: str, planSha256: str.optional(), nodeId: str, kind: str.optional() })
    .readonly();

  const runCreated = z
    .object({
      runId: str,
      sessionId: nullableStr.optional(),
      title: str.optional(),
      intent: str.optional(),
      lane: str.optional(),
      /** The plan node the run works on; a plain text in ledgers older than targets. */
      target: z.union([runTarget, str, z.null()]).optional(),
      requestedBy: str.optional(),
      steps: z
        .array(z.object({ id: str }).readonly())
        .readonly()
        .optional(),
    })
    .readonly();

  const runEnded = z
    .object({
      runId: str,
      status: str.optional(),
      steps: int.optional(),
      failed: int.optional(),
      cancelled: int.optional(),
      skipped: int.optional(),
    })
    .readonly();

  const runJudged = z
    .object({ runId: str, from: str.optional(), status: str, reason: str.optional() })
    .readonly();

  const runRetried = z.object({ runId: str, steps: z.array(str).readonly() }).readonly();

  const sessionCreated = z.object({ sessionId: str, title: nullableStr.optional() }).readonly();

  const sessionArchived = z.object({ sessionId: str, archived: z.boolean() }).readonly();

  /** What every step event carries. */
  const step = { runId: str, stepId: str };

  const stepQueued = z
    .object({
      ...step,
      reason: str.optional(),
      by: str.optional(),
      fallbackOf: str.optional(),
      blockedBy: int.optional(),
    })
    .readonly();

  const stepAwaitingApproval = z
    .object({
      ...step,
      reason: str.optional(),
      by: str.optional(),
      fallbackOf: str.optional(),
      planId: nullableStr.optional(),
      nodeId: nullableStr.optional(),
    })
    .readonly();

  const stepLeased = z
    .object({ ...step, worker: str.optional(), fence: int.optional(), attempt: int.optional() })
    .readonly();

  const stepStarted = z
    .object({ ...step, attempt: int.optional(), worker: str.optional(), tool: str.optional() })
    .readonly();

  const stepOutput = z
    .object({
      ...step,
      stream: z.enum(['stdout', 'stderr']),
      text: str,
      truncated: z.boolean().optional(),
    })
    .readonly();

  const stepArtifact = z.object({ ...step, path: str, sha256, bytes: int }).readonly();

  const stepSucceeded = z
    .object({ ...step, attempt: int.optional(), exitCode: int.nullable().optional() })
    .readonly();

  const stepFailed = z
    .object({
      ...step,
      exitCode: int.nullable().optional(),
      signal: nullableStr.optional(),
      error: nullableStr.optional(),
      retryable: z.boolean().optional(),
      attempt: int.optional(),
      leaseExpired: z.boolean().optional(),
      aborted: z.boolean().optional(),
      by: str.optional(),
    })
    .readonly();

  const stepRetryScheduled = z
    .object({
      ...step,
      attempt: int.optional(),
      retry: int.optional(),
      delayMs: z.number().optional(),
      at: str.optional(),
    })
    .readonly();

  const stepQuarantined = z
    .object({
      ...step,
      attempts: int.optional(),
      retries: int.optional(),
      error: nullableStr.optional(),
      reason: str.optional(),
    })
    .readonly();

  const stepApproved = z
    .object({
      ...step,
      reason: nullableStr.optional(),
      note: str.optional(),
      grantId: int.optional(),
    })
    .readonly();

  const stepRejected = z.object({ ...step, reason: str.optional() }).readonly();

  const stepSkipped = z
    .object({
      ...step,
      reason: str.optional(),
      failure: nullableStr.optional(),
      by: str.optional(),
    })
    .readonly();

  const stepCancelled = z.object({ ...step, reason: str.optional() }).readonly();

  const workerFenced = z
    .object({
      ...step,
      op: str,
      fence: int,
      currentFence: int.nullable(),
      state: nullableStr,
    })
    .readonly();

  // ---- agents and tasks ----

  const task = { planId: str, taskId: str };

  const taskClaimed = z
    .object({
      ...task,
      agent: str,
      leaseMs: z.number(),
      expiresAt: str,
      renewed: z.boolean(),
    })
    .readonly();

  const taskProgress = z.object({ ...task, agent: str, note: str, expiresAt: str }).readonly();

  const taskReleased = z
    .object({ ...task, agent: str, reason: str, note: str.optional() })
    .readonly();

  const taskCompleted = z
    .object({
      ...task,
      title: str,
      runId: str,
      steps: z.array(str).readonly(),
      criteria: z.array(str).readonly(),
      command: str,
      policy: str,
      version: int,
    })
    .readonly();

  const approvalRequested = z
    .object({
      subject: z.object({ kind: z.enum(['step', 'run', 'node']), id: str }).readonly(),
      title: str,
      reason: str,
    })
    .readonly();

  const agentCall = z
    .object({
      tool: str,
      arguments: z.unknown(),
      outcome: z.enum(['ok', 'refused']),
      code: str.optional(),
      message: str.optional(),
    })
    .readonly();

  // ---- ledger keys and access ----

  const keyCreated = z.object({ keyId: str, publicKey: str }).readonly();

  const keyRotated = z.object({ keyId: str, previous: nullableStr, publicKey: str }).readonly();

  const tokenCreated = z
    .object({
      kind: str,
      user: str,
      label: nullableStr,
      role: str,
      expiresAt: nullableStr,
    })
    .readonly();

  const tokenRevoked = z.object({ kind: str, user: str, label: nullableStr }).readonly();

  const login = z.object({ via: str, viaKind: str, role: str, expiresAt: nullableStr }).readonly();

  /** Every event type Pulser writes, with the schema of its data. */
  return {
    'plan.imported': planImported,
    'plan.written': planWritten,
    'metric.recorded': metricRecorded,
    'criterion.signed_off': criterionSignedOff,
    'verdict.recorded': verdictRecorded,
    'verifier.quarantined': verifierQuarantined,
    'gate.decided': gateDecided,
    'gate.forced': gateForced,
    'report.generated': reportGenerated,
    'trust.granted': trustGranted,
    'trust.revoked': trustRevoked,
    'session.created': sessionCreated,
    'session.archived': sessionArchived,
    'run.created': runCreated,
    'run.succeeded': runEnded,
    'run.failed': runEnded,
    'run.cancelled': runEnded,
    'run.skipped': runEnded,
    'run.judged': runJudged,
    'run.retried': runRetried,
    'step.queued': stepQueued,
    'step.awaiting_approval': stepAwaitingApproval,
    'step.approved': stepApproved,
    'step.rejected': stepRejected,
    'step.leased': stepLeased,
    'step.started': stepStarted,
    'step.output': stepOutput,
    'step.artifact': stepArtifact,
    'step.succeeded': stepSucceeded,
    'step.failed': stepFailed,
    'step.timed_out': stepFailed,
    'step.retry_scheduled': stepRetryScheduled,
    'step.quarantined': stepQuarantined,
    'step.skipped': stepSkipped,
    'step.cancelled': stepCancelled,
    'worker.fenced': workerFenced,
    'task.claimed': taskClaimed,
    'task.progress': taskProgress,
    'task.released': taskReleased,
    'task.completed': taskCompleted,
    'approval.requested': approvalRequested,
    'agent.call': agentCall,
    'ledger.key_created': keyCreated,
    'ledger.key_rotated': keyRotated,
    'auth.token.created': tokenCreated,
    'auth.token.revoked': tokenRevoked,
    'auth.login': login,
    'auth.logout': tokenRevoked,
  } as const;
}

type Catalog = ReturnType<typeof buildCatalog>;
let built: Catalog | null = null;

/** The catalog: every event type Pulser writes, with the schema of its data. */
function catalog(): Catalog {
  // zod's CommonJS build, loaded synchronously (a store's append is synchronous).
  built ??= buildCatalog((createRequire(import.meta.url)('zod') as typeof Zod).z);
  return built;
}

/** A catalogued event type. */
export type EventType = keyof Catalog;

/** The data of an event of type `T`. */
export type EventData<T extends EventType> = Zod.infer<Catalog[T]>;

/** Every catalogued event type, in catalog order. */
export function eventTypes(): ReadonlyArray<EventType> {
  return Object.keys(catalog()) as EventType[];
}

/** Whether `type` is in the catalog. */
export function isEventType(type: string): type is EventType {
  return Object.hasOwn(catalog(), type);
}

/** An event as a ledger holds it: numbered, timestamped, chained (a stored event). */
export interface LedgerEvent {
  readonly seq: number;
  /** ISO-8601 UTC timestamp. */
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly data: unknown;
  readonly hash: string;
}

/** A ledger event whose data was checked against its type's schema. */
export type TypedEvent = {
  [T in EventType]: Omit<LedgerEvent, 'type' | 'data'> & {
    readonly type: T;
    readonly data: EventData<T>;
  };
}[EventType];

/** A ledger event of a type the catalog does not know (renamed or removed since it was written). */
export type UnknownEvent = LedgerEvent & { readonly unknown: true };

/** A typed event of type `T`. */
export type EventOf<T extends EventType> = Extract<TypedEvent, { readonly type: T }>;

/**
 * Why `data` does not match the schema of `type` (the first problem, with its path: `data.status:
 * ...`), `unknown type` when the type is not catalogued, or null when it matches.
 */
export function eventProblem(type: string, data: unknown): string | null {
  if (!isEventType(type)) return 'the type is not in the event catalog';
  const result = catalog()[type].safeParse(data);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  const path = ['data', ...issue.path.map(String)].join('.');
  return `${path}: ${issue.message}`;
}

/**
 * Refuses an event to append whose type is not catalogued or whose data does not match its
 * type: a store calls this first in its append, so nothing is written.
 */
export function checkEventInput(event: { readonly type: string; readonly data: unknown }): void {
  const problem = eventProblem(event.type, event.data ?? null);
  if (problem === null) return;
  throw new StoreError(
    `event ${JSON.stringify(event.type)} refused: ${problem}; nothing was written`,
    { type: event.type, reason: 'catalog', hint: 'the event catalog is src/ir/events.ts' },
  );
}

/**
 * Checks a stored event against the catalog: a typed event, or an `unknown` one when its type is
 * not catalogued. Throws a store error naming the event's seq and type when its data does not
 * match its type.
 */
export function readEvent(e: LedgerEvent): TypedEvent | UnknownEvent {
  if (!isEventType(e.type)) return { ...e, unknown: true };
  const problem = eventProblem(e.type, e.data);
  if (problem !== null) {
    throw new StoreError(
      `event ${e.seq} (${e.type}) of the ledger does not match the event catalog: ${problem}`,
      {
        seq: e.seq,
        type: e.type,
        reason: 'catalog',
        hint: 'run `pulser doctor` to list every event that does not match',
      },
    );
  }
  return e as TypedEvent;
}
