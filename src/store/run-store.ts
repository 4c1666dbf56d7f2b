/**
 * Persistence of sessions, runs, step executions, leases, rate buckets and trust: the durable
 * runtime's state. Backend-neutral and async; every mutating method is one transaction that also
 * appends its events, and every write a worker makes is fenced by its lease's token.
 */
import type { RetryPolicy } from '../ir/schema.js';
import type { StoredEvent } from './events.js';

/** Lifecycle of a step execution (see docs/runtime.md for the transitions). */
export type StepState =
  | 'queued'
  | 'leased'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'awaiting_approval'
  | 'quarantined'
  | 'skipped';

/** Every step state, in lifecycle order. */
export const STEP_STATES: ReadonlyArray<StepState> = [
  'queued',
  'leased',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'awaiting_approval',
  'quarantined',
  'skipped',
];

/** States a step never leaves on its own (a person may still retry it). */
export const TERMINAL_STEP_STATES: ReadonlySet<StepState> = new Set([
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'skipped',
]);

/**
 * Status of a run: `waiting` means a step waits for a person (approval or quarantine);
 * `skipped` means it ended without a failure but a person skipped at least one step, so part
 * of its work was not done (never shown as `succeeded`).
 */
export type RunStatus =
  'queued' | 'running' | 'waiting' | 'succeeded' | 'skipped' | 'failed' | 'cancelled';

/** Every run status. */
export const RUN_STATUSES: ReadonlyArray<RunStatus> = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'skipped',
  'failed',
  'cancelled',
];

/** Tools a step can use: `noop` does nothing (tests, benchmarks); `mcp`/`http` need a runner. */
export type StepTool = 'shell' | 'noop' | 'mcp' | 'http';

/** Where an ad-hoc step came from: the plan version and node its command was read from. */
export interface StepProvenance {
  readonly planId: string;
  /** SHA-256 of the plan document the command was read from. */
  readonly planSha256: string;
  /** The step's (or criterion's) node ID in that plan. */
  readonly nodeId: string;
}

/**
 * Why a step waits in `awaiting_approval`: its command is not trusted, its step requires an
 * approval, or a person rejected it before (a rejection stands until someone approves).
 */
export type ApprovalReason = 'untrusted' | 'approval_required' | 'rejected';

/** What allowed a step to run (recorded on the step and in `run.created`). */
export type StepAuthority =
  /** Its (planId, nodeId, digest) is covered by a trust grant. */
  | 'trusted'
  /** A person typed the command themselves (`trustedBy`). */
  | 'person'
  /** A person approved this execution. */
  | 'approved'
  /** The CLI's `--trust-unsafely` flag. */
  | 'unsafe'
  /** Nothing yet: the step waits for trust or approval. */
  | 'none'
  /** Built-in `noop` steps need no trust: they execute nothing. */
  | 'builtin';

/** What a step does and how; the same shape for plan steps and ad-hoc ones. */
export interface StepSpec {
  readonly title: string;
  readonly tool: StepTool;
  /** For `shell`: the script, exactly as written in the document; never interpolated. */
  readonly input: string;
  /** Shell dialect: `bash` runs bash; anything else runs `/bin/sh`. */
  readonly language?: string;
  /** Working directory, relative to the workspace root. @default the workspace root */
  readonly cwd?: string;
  /** Environment variables added to (or, with `inheritEnv: false`, replacing) the worker's. */
  readonly env?: Readonly<Record<string, string>>;
  /** @default true */
  readonly inheritEnv?: boolean;
  /** Files (relative to `cwd`) the step produces; stored content-addressed when it succeeds. */
  readonly outputs?: ReadonlyArray<string>;
  /** Kill the process group after this long. @default the worker's default (1 hour) */
  readonly timeoutMs?: number;
  /** Automatic retries; missing fields take the defaults (3 retries, 1 s, ×2, ≤ 60 s, jitter 0.5). */
  readonly retry?: Partial<RetryPolicy>;
  readonly lane?: string;
  /** `required`: a person must approve this execution even when the command is trusted. */
  readonly approval?: 'auto' | 'required';
  /**
   * Quarantine the step when it fails for good (a person then retries, skips or aborts it);
   * false ends it `failed`, for steps whose failure is a result (a check that failed). @default true
   */
  readonly quarantine?: boolean;
  /** A step to run instead when this one fails for good (its own fallback is ignored). */
  readonly fallback?: StepSpec;
  /** The plan and node the command came from (trust is looked up by it). */
  readonly provenance?: StepProvenance;
  /** A person (never `agent:*`) who typed the command and vouches for it. */
  readonly trustedBy?: string;
}

/** A step to create in a new run. */
export interface NewStep {
  readonly spec: StepSpec;
  readonly lane: string;
  /** Indexes (in the run's step list) of the steps this one waits for. */
  readonly after: ReadonlyArray<number>;
  /** `--trust-unsafely`: run without trust (CLI only). */
  readonly unsafe?: boolean;
}

/** The target of a run: a plan node, or null for ad-hoc steps. */
export interface RunTarget {
  readonly planId: string;
  readonly planSha256: string;
  readonly nodeId: string;
  readonly kind: string;
}

/** What `createRun` needs. */
export interface CreateRunInput {
  readonly title: string;
  readonly intent?: string;
  readonly lane: string;
  readonly target: RunTarget | null;
  /** An existing session's ID, or `{title}` for a new one; absent: the current session. */
  readonly session?: string | { readonly title: string };
  readonly requestedBy: string;
  readonly steps: ReadonlyArray<NewStep>;
}

/** A session: a group of runs that can be archived (hidden) together. */
export interface SessionRecord {
  readonly id: string;
  readonly title: string;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly runs: number;
}

/** A step execution as stored. */
export interface StepRecord {
  /** `<runId>.<n>` */
  readonly id: string;
  readonly runId: string;
  readonly ord: number;
  readonly title: string;
  readonly state: StepState;
  readonly tool: StepTool;
  readonly lane: string;
  /** Executions started (leases taken), including interrupted ones. */
  readonly attempts: number;
  /** Automatic retries used since the last person's retry. */
  readonly retries: number;
  readonly maxRetries: number;
  /** Leases lost (the worker stopped heartbeating). */
  readonly leaseLosses: number;
  /** What trust binds to (`specDigest`: tool, interpreter and command), computed by the store. */
  readonly digest: string;
  readonly authority: StepAuthority;
  /** Why it waits, when `state` is `awaiting_approval`; `rejected` also on a rejected step. */
  readonly approvalReason: ApprovalReason | null;
  readonly planId: string | null;
  readonly nodeId: string | null;
  /** IDs of the steps it waits for. */
  readonly after: ReadonlyArray<string>;
  /** Unfinished dependencies. */
  readonly blocked: number;
  /** The step this one is the fallback of. */
  readonly fallbackOf: string | null;
  /** The fallback step that recovered this one's failure. */
  readonly recoveredBy: string | null;
  /** Not before this time (ms since the epoch) when queued for a retry. */
  readonly runAt: number;
  readonly fence: number;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly spec: StepSpec;
}

/** A run as stored. */
export interface RunRecord {
  readonly id: string;
  readonly title: string;
  readonly intent: string | null;
  readonly status: RunStatus;
  readonly lane: string;
  readonly sessionId: string;
  readonly target: RunTarget | null;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** Steps in each state. */
  readonly counts: Readonly<Record<StepState, number>>;
  /** Queued steps whose dependencies are done (runnable now or after their retry delay). */
  readonly ready: number;
}

/** Filters of `listRuns`. */
export interface RunQuery {
  readonly status?: RunStatus;
  readonly lane?: string;
  readonly session?: string;
  /** Substring of the ID, title, intent or target. */
  readonly q?: string;
  /** Include runs of archived sessions. @default false */
  readonly archived?: boolean;
  /** @default 100 */
  readonly limit?: number;
}

/** A token bucket: `perSecond` tokens added per second, at most `burst` held. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** What a worker asks for when it claims steps. */
export interface ClaimInput {
  /** The worker's actor (`worker:<id>`). */
  readonly worker: string;
  readonly leaseMs: number;
  /** At most this many steps. */
  readonly limit: number;
  /** Only these lanes. */
  readonly lanes?: ReadonlyArray<string>;
  /** Only steps of these runs. */
  readonly runs?: ReadonlyArray<string>;
  /** Most steps leased or running at once per lane, across every worker (`*`: any other lane). */
  readonly laneLimits?: Readonly<Record<string, number>>;
  /** Token buckets per tool, shared by every worker. */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  /** Lease losses after which a step is quarantined instead of re-queued. */
  readonly maxLeaseLosses: number;
  /**
   * Also start each claimed step (`leased → running`, with its `step.started` event) in the
   * claim's transaction, for a worker that executes what it claims at once; it then skips
   * the `start` write. @default false
   */
  readonly start?: boolean;
}

/** A step leased to a worker: everything needed to execute it and to write its result. */
export interface Lease {
  readonly stepId: string;
  readonly runId: string;
  /** The fencing token: every write about this execution must present it. */
  readonly fence: number;
  readonly attempt: number;
  readonly retries: number;
  readonly maxRetries: number;
  readonly lane: string;
  readonly spec: StepSpec;
  readonly hasFallback: boolean;
}

/** What `claim` returns. */
export interface ClaimResult {
  readonly leases: ReadonlyArray<Lease>;
  /** Earliest time (ms) a step not claimable now may become claimable (a retry, a rate bucket). */
  readonly nextAt: number | null;
  /** Steps whose expired lease was taken back in this claim. */
  readonly reclaimed: number;
}

/** How an execution ended, as the worker reports it. */
export type StepOutcome =
  | { readonly kind: 'succeeded'; readonly exitCode: number | null }
  | {
      readonly kind: 'failed' | 'timed_out';
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly error: string;
      readonly retryable: boolean;
      /** Set when an automatic retry is due: wait this long. */
      readonly retryDelayMs: number | null;
    };

/** A fenced write by the holder of a lease; one batch is one transaction. */
export type WorkerOp =
  | { readonly kind: 'start'; readonly lease: Lease; readonly worker: string }
  | {
      readonly kind: 'output';
      readonly lease: Lease;
      readonly worker: string;
      readonly stream: 'stdout' | 'stderr';
      readonly text: string;
      readonly truncated?: boolean;
    }
  | {
      readonly kind: 'artifact';
      readonly lease: Lease;
      readonly worker: string;
      readonly path: string;
      readonly sha256: string;
      readonly bytes: number;
    }
  | {
      readonly kind: 'heartbeat';
      readonly lease: Lease;
      readonly worker: string;
      readonly leaseMs: number;
    }
  | {
      readonly kind: 'finish';
      readonly lease: Lease;
      readonly worker: string;
      readonly outcome: StepOutcome;
    }
  | {
      readonly kind: 'release';
      readonly lease: Lease;
      readonly worker: string;
      readonly reason: string;
    };

/** Result of one op: `stale` when the lease is no longer this worker's (the write was rejected). */
export type OpResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'stale' };

/** How a person resolves a quarantined step. */
export type ResolveAction = 'retry' | 'skip' | 'abort';

/** A trust grant: a person trusted a plan's content (bound to its hash and step digests). */
export interface TrustGrant {
  readonly id: number;
  readonly planId: string;
  readonly path: string;
  readonly sha256: string;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  /** Executables covered: step and command-verifier node IDs with their digests. */
  readonly items: ReadonlyArray<TrustItem>;
}

/** One trusted executable of a plan. */
export interface TrustItem {
  readonly nodeId: string;
  readonly digest: string;
}

/** What `grantTrust` records. */
export interface GrantTrustInput {
  readonly planId: string;
  readonly path: string;
  readonly sha256: string;
  readonly actor: string;
  readonly items: ReadonlyArray<TrustItem>;
}

/** What a run's log read returns. */
export interface LogLine {
  readonly seq: number;
  readonly ts: string;
  readonly stepId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/**
 * The runtime's persistence. The engine (workers) uses `claim`, `apply` and `heldState`; the
 * workspace functions use the rest.
 */
export interface RunStore {
  /** Creates a run (and its session when new) with its steps; trust is decided in the same transaction. */
  createRun(input: CreateRunInput): Promise<{ run: RunRecord; steps: StepRecord[] }>;
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  /** The steps of a run in order. */
  listSteps(runId: string): Promise<StepRecord[]>;
  getStep(id: string): Promise<StepRecord | null>;
  /** Steps in these states across runs (newest runs first), e.g. for the inbox. */
  stepsInState(states: ReadonlyArray<StepState>, limit?: number): Promise<StepRecord[]>;
  /**
   * The latest execution of each of these plan nodes' steps (newest run first; one record per
   * node ID), whatever its state: what "its steps ran" is decided from.
   */
  latestStepsOf(planId: string, nodeIds: ReadonlyArray<string>): Promise<StepRecord[]>;
  /** IDs of recent runs (for suggestions). */
  recentRunIds(limit?: number): Promise<string[]>;

  listSessions(options?: { archived?: boolean }): Promise<SessionRecord[]>;
  getSession(id: string): Promise<SessionRecord | null>;
  archiveSession(id: string, archived: boolean, actor: string): Promise<SessionRecord>;

  /** Takes back expired leases, then leases up to `limit` ready steps (one transaction). */
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** Applies a batch of fenced worker writes in one transaction; a stale op is rejected alone. */
  apply(ops: ReadonlyArray<WorkerOp>): Promise<ReadonlyArray<OpResult>>;
  /**
   * `apply(ops)`, then `claim(input)`, in one transaction: a worker whose finished steps free
   * their slots claims their successors in the same commit.
   */
  applyAndClaim(
    ops: ReadonlyArray<WorkerOp>,
    input: ClaimInput,
  ): Promise<{ readonly results: ReadonlyArray<OpResult>; readonly claimed: ClaimResult }>;
  /** Which of these leases are still held (fence and state unchanged); others must stop. */
  stillHeld(leases: ReadonlyArray<Lease>): Promise<ReadonlySet<string>>;
  /** Whether any step may be claimable now or soon (a cheap read, no lock). */
  hasWork(input: Pick<ClaimInput, 'lanes' | 'runs'>): Promise<boolean>;

  approve(stepId: string, actor: string, note?: string): Promise<StepRecord>;
  reject(stepId: string, actor: string, reason?: string): Promise<StepRecord>;
  /** Resolves a quarantined step; `skip` needs the person's `reason` (recorded with them). */
  resolve(
    stepId: string,
    action: ResolveAction,
    actor: string,
    reason?: string,
  ): Promise<StepRecord>;
  /**
   * Sets the final status of an ended run from a judgment of what it produced (a check run is
   * `failed` when one of its checks failed, whatever its commands' exit codes), with an event.
   */
  judgeRun(
    runId: string,
    status: 'succeeded' | 'failed',
    actor: string,
    reason: string,
  ): Promise<RunRecord>;
  /** Re-queues a failed, cancelled or quarantined step (or every such step of a run). */
  retry(id: string, actor: string): Promise<{ run: RunRecord; steps: StepRecord[] }>;
  cancelRun(runId: string, actor: string): Promise<RunRecord>;
  cancelStep(stepId: string, actor: string): Promise<StepRecord>;

  grantTrust(input: GrantTrustInput): Promise<{ grant: TrustGrant; released: StepRecord[] }>;
  revokeTrust(
    planId: string,
    actor: string,
  ): Promise<{ revoked: TrustGrant[]; parked: StepRecord[] }>;
  listTrust(options?: { revoked?: boolean }): Promise<TrustGrant[]>;
  /** The trusted digests of a plan's nodes (active grants only), keyed `nodeId`. */
  trustedDigests(planId: string): Promise<ReadonlyMap<string, ReadonlySet<string>>>;

  /** Output lines of a run's steps after event `after`. */
  logs(runId: string, after?: number, limit?: number): Promise<LogLine[]>;
  /** Every event about a run or its steps after `after`. */
  runEvents(runId: string, after?: number, limit?: number): Promise<StoredEvent[]>;
}

/**
 * Default retry policy: 3 automatic retries; the n-th waits
 * `min(maxDelayMs, initialDelayMs × factor^(n-1)) × (1 − jitter × r)` with r uniform in [0, 1),
 * i.e. 0.5–1 s, 1–2 s, 2–4 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: 0.5,
};
