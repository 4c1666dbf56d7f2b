// Shapes of the runtime API (docs/api.md): runs, steps, sessions, log lines, targets, inbox.

/** Lifecycle of a step execution. */
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

/** Status of a run: `skipped` ended without failure, but a person skipped a step. */
export type RunStatus =
  'queued' | 'running' | 'waiting' | 'succeeded' | 'skipped' | 'failed' | 'cancelled';

/** Every run status, for the filter. */
export const RUN_STATUSES: ReadonlyArray<RunStatus> = [
  'queued',
  'running',
  'waiting',
  'succeeded',
  'skipped',
  'failed',
  'cancelled',
];

/** What a step does. */
export interface StepSpec {
  readonly title: string;
  readonly tool: string;
  readonly input: string;
  readonly language?: string;
  readonly cwd?: string;
  readonly outputs?: ReadonlyArray<string>;
  readonly timeoutMs?: number;
}

/** A step execution of a run. */
export interface RunStep {
  readonly id: string;
  readonly runId: string;
  readonly ord: number;
  readonly title: string;
  readonly state: StepState;
  readonly tool: string;
  readonly lane: string;
  readonly attempts: number;
  readonly retries: number;
  readonly maxRetries: number;
  readonly leaseLosses: number;
  readonly authority: string;
  readonly approvalReason: 'untrusted' | 'approval_required' | 'rejected' | null;
  readonly planId: string | null;
  readonly nodeId: string | null;
  readonly after: ReadonlyArray<string>;
  readonly blocked: number;
  readonly runAt: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly spec: StepSpec;
}

/** The plan node a run executes. */
export interface RunTargetRef {
  readonly planId: string;
  readonly planSha256: string;
  readonly nodeId: string;
  readonly kind: string;
}

/** A run. */
export interface Run {
  readonly id: string;
  readonly title: string;
  readonly intent: string | null;
  readonly status: RunStatus;
  readonly lane: string;
  readonly sessionId: string;
  readonly target: RunTargetRef | null;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly counts: Readonly<Record<StepState, number>>;
  readonly ready: number;
}

/** A file a step stored. */
export interface Artifact {
  readonly stepId: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** A run with its steps and artifacts. */
export interface RunDetail extends Run {
  readonly steps: ReadonlyArray<RunStep>;
  readonly artifacts: ReadonlyArray<Artifact>;
}

/** A session grouping runs. */
export interface RunSession {
  readonly id: string;
  readonly title: string;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly runs: number;
}

/** A chunk of a step's output (one `step.output` event). */
export interface LogLine {
  readonly seq: number;
  readonly ts: string;
  readonly stepId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

/** Something a run can be started on. */
export interface RunTarget {
  readonly ref: string;
  readonly planId: string;
  readonly nodeId: string;
  readonly kind: 'plan' | 'phase' | 'task';
  readonly title: string;
  readonly steps: number;
  readonly unmet: string | null;
}

/** One command of a plan and whether it is trusted. */
export interface ExecutableTrust {
  readonly kind: 'step' | 'verifier';
  readonly nodeId: string;
  readonly title: string;
  readonly command: string;
  readonly digest: string;
  readonly trust: 'trusted' | 'changed' | 'untrusted';
}

/** Trust of a plan's current version. */
export interface PlanTrust {
  readonly planId: string;
  readonly path: string;
  readonly sha256: string;
  readonly status: 'full' | 'partial' | 'none' | 'empty';
  readonly trustedBy: string | null;
  readonly trustedAt: string | null;
  readonly executables: ReadonlyArray<ExecutableTrust>;
  /** What `POST /trust` must name: the digest of the commands shown. */
  readonly commandsSha256: string;
}

/** A step waiting for a person, with its run's title. */
export interface InboxStep extends RunStep {
  readonly runTitle: string;
}

/** A verdict status. */
export type VerdictStatus = 'pass' | 'fail' | 'pending' | 'error' | 'not_run';

/** What a person can do about a criterion or metric that keeps a gate closed. */
export interface ResolveAction {
  readonly kind: 'signoff' | 'metric' | 'check' | 'fix';
  readonly command: string;
  readonly approver?: string;
  readonly metric?: string;
}

/** A recorded verdict. */
export interface VerdictView {
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly flaky: boolean;
  readonly at: string;
  readonly by: string;
  readonly seq: number;
  readonly current: boolean;
}

/** A verifier bound to a criterion. */
export interface VerifierSpec {
  readonly kind: 'command' | 'file' | 'metric' | 'manual';
  readonly command?: string;
  readonly path?: string;
  readonly metric?: string;
  readonly target?: string;
  readonly approver?: string;
}

/** A criterion with its verifier and latest verdict. */
export interface CriterionView {
  readonly id: string;
  readonly text: string;
  readonly section: string;
  readonly phaseId: string | null;
  readonly verifier: VerifierSpec | null;
  readonly source: string | null;
  readonly where: string | null;
  readonly problem: string | null;
  readonly verdict: VerdictView | null;
  readonly action: ResolveAction | null;
}

/** A measured value. */
export interface Measured {
  readonly seq: number;
  readonly at: string;
  readonly by: string;
  readonly value: number;
  readonly raw: string;
  readonly unit: string | null;
  readonly note: string | null;
}

/** A metric with its measured values against its target. */
export interface MetricView {
  readonly id: string;
  readonly name: string;
  readonly phaseId: string | null;
  readonly target: string;
  readonly baseline: string | null;
  readonly latest: Measured | null;
  readonly history: ReadonlyArray<Measured>;
  readonly trend: 'up' | 'down' | 'flat' | null;
  readonly verdict: VerdictView | null;
}

/** A criterion or metric that keeps a gate closed. */
export interface Blocker {
  readonly target: string;
  readonly text: string;
  readonly status: VerdictStatus;
  readonly reason: string;
  readonly action: ResolveAction;
}

/** One phase's gate, from the ledger. */
export interface GateView {
  readonly planId: string;
  readonly phaseId: string;
  readonly title: string;
  readonly phaseStatus: string;
  readonly gate: string;
  readonly status: 'pass' | 'fail' | 'pending' | 'unchecked';
  readonly empty: boolean;
  readonly decided: {
    readonly seq: number;
    readonly at: string;
    readonly by: string;
    readonly current: boolean;
    readonly status: string;
  } | null;
  readonly criteria: ReadonlyArray<string>;
  readonly metrics: ReadonlyArray<string>;
  readonly blocking: ReadonlyArray<Blocker>;
  readonly check: string;
}

/** A plan's gates, criteria and metrics. */
export interface PlanGates {
  readonly planId: string;
  readonly title: string;
  readonly path: string;
  readonly sha256: string;
  readonly gates: ReadonlyArray<GateView>;
  readonly criteria: ReadonlyArray<CriterionView>;
  readonly metrics: ReadonlyArray<MetricView>;
}

/** A phase gate that was decided and does not pass. */
export interface FailingGate extends GateView {
  readonly planTitle: string;
}

/** What an agent's approval request is about. */
export type RequestSubject =
  | { readonly kind: 'step'; readonly id: string; readonly runId: string }
  | { readonly kind: 'run'; readonly id: string }
  | {
      readonly kind: 'node';
      readonly id: string;
      readonly planId: string;
      readonly nodeKind: string;
    };

/** An agent's request for a person. */
export interface ApprovalRequest {
  readonly seq: number;
  readonly at: string;
  readonly requestedBy: string;
  readonly subject: RequestSubject;
  readonly title: string;
  readonly reason: string;
}

/** Everything waiting for a person. */
export interface Inbox {
  readonly approvals: ReadonlyArray<InboxStep>;
  readonly quarantined: ReadonlyArray<InboxStep>;
  readonly untrusted: ReadonlyArray<PlanTrust>;
  readonly failingGates: ReadonlyArray<FailingGate>;
  readonly requests: ReadonlyArray<ApprovalRequest>;
}

/** Where a step's attempt started (its output after this seq belongs to it). */
export interface AttemptMark {
  readonly stepId: string;
  readonly attempt: number;
  readonly seq: number;
  readonly ts: string;
  readonly worker: string;
}

/** What a step was doing during a span of the run's timeline. */
export type SpanKind = 'blocked' | 'queued' | 'approval' | 'running' | 'backoff' | 'quarantine';

/** A span of a step's life; `to` is null while it lasts. */
export interface TimelineSpan {
  readonly kind: SpanKind;
  readonly from: string;
  readonly to: string | null;
  readonly attempt: number | null;
  readonly outcome: string | null;
}

/** A step on the timeline. */
export interface TimelineStep {
  readonly id: string;
  readonly ord: number;
  readonly title: string;
  readonly lane: string;
  readonly state: StepState;
  readonly after: ReadonlyArray<{ readonly id: string; readonly title: string }>;
  readonly endedBy: {
    readonly actor: string;
    readonly type: string;
    readonly reason: string | null;
  } | null;
  readonly spans: ReadonlyArray<TimelineSpan>;
}

/** A run's timeline. */
export interface RunTimeline {
  readonly runId: string;
  readonly from: string;
  readonly to: string | null;
  readonly now: string;
  readonly steps: ReadonlyArray<TimelineStep>;
  readonly attempts: ReadonlyArray<AttemptMark>;
}

/** A page of runs. */
export interface RunPage {
  readonly runs: ReadonlyArray<Run>;
  readonly total: number;
  readonly more: boolean;
  readonly offset: number;
  readonly limit: number;
  readonly waiting: number;
  readonly checks: { readonly total: number; readonly failed: number; readonly latest: Run | null };
}

/** A task's state in the dependency graph. */
export type GraphState =
  'done' | 'running' | 'waiting' | 'failed' | 'blocked' | 'ready' | 'deferred';

/** A task of the dependency graph. */
export interface GraphNode {
  readonly id: string;
  readonly title: string;
  readonly phaseId: string | null;
  readonly phaseTitle: string | null;
  readonly status: string;
  readonly state: GraphState;
  readonly why: string | null;
  readonly dependsOn: ReadonlyArray<{ readonly id: string; readonly title: string }>;
  readonly runId: string | null;
}

/** A plan's task dependency graph. */
export interface TaskGraph {
  readonly planId: string;
  readonly title: string;
  readonly nodes: ReadonlyArray<GraphNode>;
}

/** A task's history across runs. */
export interface TaskHistory {
  readonly planId: string;
  readonly planTitle: string;
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly executions: ReadonlyArray<{
    readonly run: Pick<Run, 'id' | 'title' | 'status' | 'requestedBy' | 'createdAt'>;
    readonly step: Pick<
      RunStep,
      'id' | 'title' | 'state' | 'attempts' | 'exitCode' | 'error' | 'startedAt' | 'finishedAt'
    >;
  }>;
  readonly events: ReadonlyArray<AuditEvent>;
}

/** An event of the ledger as the audit page shows it. */
export interface AuditEvent {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject?: string | null;
  readonly data: unknown;
}

/** A page of the audit view. */
export interface AuditPage {
  readonly events: ReadonlyArray<AuditEvent>;
  readonly before: number | null;
  readonly total: number;
}
