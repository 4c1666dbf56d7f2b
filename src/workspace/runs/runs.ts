/**
 * The runtime's library functions: start a run of a plan node (or of ad-hoc steps), read runs,
 * steps, logs and sessions, and act on them (retry, cancel, approve, reject, resolve). The CLI,
 * the server and the MCP adapter call these; none of them decides anything on its own.
 */
import { join } from 'node:path';
import { StateError, TrustError, UsageError } from '../../errors/index.js';
import type { Task } from '../../ir/schema.js';
import { allTasks } from '../../ir/walk.js';
import { planRunSteps, type RunnableNode } from '../../engine/plan-steps.js';
import { notifyWork } from '../../engine/worker.js';
import { artifactFile } from '../../engine/artifacts.js';
import type {
  LogLine,
  NewStep,
  ResolveAction,
  RunQuery,
  RunRecord,
  RunTarget,
  SessionRecord,
  StepRecord,
  StepSpec,
  StepTool,
} from '../../store/run-store.js';
import type { Workspace } from '../open.js';
import { findRun, findSession, findStep } from './run-ids.js';
import { resolveNode } from '../resolve.js';
import { stepEvidence } from './task-evidence.js';

/** An ad-hoc step: a spec plus the indexes (in the same list) of the steps it waits for. */
export interface AdHocStep extends StepSpec {
  readonly after?: ReadonlyArray<number>;
}

/** What to run. Give `target` (a plan node) or `steps` (ad-hoc), not both. */
export interface StartRunOptions {
  /** A plan, phase, task or step: an ID, `planId:nodeId`, a task label, or a plan ID. */
  readonly target?: string;
  readonly steps?: ReadonlyArray<AdHocStep>;
  /** The run's lane (steps without one use it). @default 'main' */
  readonly lane?: string;
  /** An existing session ID, or `{title}` for a new session. @default the current session */
  readonly session?: string | { readonly title: string };
  /** @default the target's title */
  readonly title?: string;
  readonly intent?: string;
  /** Who asks: `cli:<user>`, `user:<name>`, `agent:<name>`. */
  readonly actor: string;
  /**
   * Run document steps without trust. Only for a person at the CLI (`cli:*` actors), behind
   * the loud `--trust-unsafely` flag; refused for everyone else.
   */
  readonly trustUnsafely?: boolean;
  /** Start even when a task depends on a task outside the run that is not done. @default false */
  readonly ignoreDependencies?: boolean;
}

/** A run with its steps. */
export interface RunWithSteps extends RunRecord {
  readonly steps: ReadonlyArray<StepRecord>;
}

const TOOLS: ReadonlySet<StepTool> = new Set(['shell', 'noop', 'mcp', 'http']);
const LANE_RE = /^[A-Za-z0-9][\w.-]{0,39}$/u;

function checkLane(lane: string): string {
  if (!LANE_RE.test(lane)) {
    throw new UsageError(`invalid lane ${JSON.stringify(lane)}`, {
      hint: 'a lane is a short name: letters, digits, `-`, `_`, `.` (e.g. A, backend)',
    });
  }
  return lane;
}

async function targetSteps(
  ws: Workspace,
  ref: string,
  lane: string,
  ignoreDependencies: boolean,
): Promise<{ target: RunTarget; title: string; steps: ReadonlyArray<NewStep> }> {
  let stored = await ws.store.plans.get(ref.trim());
  let node: RunnableNode;
  let task: Task | null = null;
  if (stored !== null) {
    node = stored.plan;
  } else {
    const resolved = await resolveNode(ws, ref);
    stored = resolved.stored;
    const n = resolved.node;
    if (n.kind !== 'plan' && n.kind !== 'phase' && n.kind !== 'task' && n.kind !== 'step') {
      throw new UsageError(`${ref} is a ${n.kind}; only a plan, phase, task or step can be run`, {
        hint: 'run the task or phase that holds it',
      });
    }
    node = n;
    task = resolved.task;
  }
  const planned = planRunSteps(stored.plan, stored.id, stored.sha256, node, lane, task);
  if (planned.steps.length === 0) {
    throw new UsageError(`${ref} has no steps to run`, {
      hint: 'steps are the shell code blocks (```sh) and listed commands of a plan; `pulser show ID` lists them',
    });
  }
  if (planned.unmet.length > 0 && !ignoreDependencies) {
    // A dependency whose steps already succeeded (at their current commands) is met, even
    // while its checkbox in the markdown is not ticked yet.
    const tasks = new Map([...allTasks(stored.plan)].map((t) => [t.id, t]));
    for (const u of planned.unmet) {
      const dep = tasks.get(u.dependsOn);
      const ran = dep === undefined ? 'it is not in the plan' : await stepEvidence(ws, stored, dep);
      if (typeof ran !== 'string') continue;
      const ref = `${stored.id}:${u.dependsOn}`;
      throw new StateError(
        `task ${u.task} depends on ${u.dependsOn}${dep === undefined ? '' : ` (${JSON.stringify(dep.title)})`}, which is not done in ${stored.path} and not part of this run: ${ran}`,
        {
          hint: `run it first (pulser run ${ref}), mark it done if it is (pulser set-status ${ref} done), run a phase that holds both, or pass --ignore-deps`,
        },
      );
    }
  }
  const nodeId = node.kind === 'plan' ? stored.id : node.id;
  const title = node.title;
  return {
    target: { planId: stored.id, planSha256: stored.sha256, nodeId, kind: node.kind },
    title,
    steps: planned.steps,
  };
}

function adHocSteps(steps: ReadonlyArray<AdHocStep>, actor: string, lane: string): NewStep[] {
  return steps.map((s, i) => {
    if (!TOOLS.has(s.tool)) {
      throw new UsageError(`step ${i + 1}: unknown tool ${JSON.stringify(s.tool)}`, {
        hint: 'use shell, noop, mcp or http',
      });
    }
    if (typeof s.input !== 'string') throw new UsageError(`step ${i + 1}: input must be a string`);
    if (s.trustedBy !== undefined && (s.trustedBy !== actor || actor.startsWith('agent:'))) {
      throw new TrustError(`step ${i + 1}: trustedBy must be the person starting the run`, {
        hint: 'only a person vouches for a command they typed; agents never do',
      });
    }
    const { after = [], ...spec } = s;
    const stepLane = checkLane(spec.lane ?? lane);
    return {
      spec: { ...spec, lane: stepLane },
      lane: stepLane,
      after,
    };
  });
}

/**
 * Starts a run: creates it (queued) with its steps; steps whose commands are not trusted wait
 * in `awaiting_approval`. Workers execute it (`startWorker`, `pulser worker`, or the
 * foreground `pulser run`).
 * @example const { run } = await startRun(ws, { target: 'phase-n1', actor: 'cli:ana' });
 */
export async function startRun(
  ws: Workspace,
  options: StartRunOptions,
): Promise<{ run: RunRecord; steps: StepRecord[] }> {
  const lane = checkLane(options.lane ?? 'main');
  if (options.trustUnsafely === true && !options.actor.startsWith('cli:')) {
    throw new TrustError('only a person at the command line can run untrusted steps unsafely', {
      hint: 'trust the plan (pulser trust FILE) or approve its steps instead',
    });
  }
  if ((options.target === undefined) === (options.steps === undefined)) {
    throw new UsageError('give a target (a plan node) or a list of steps, not both or neither');
  }
  let title = options.title;
  let target: RunTarget | null = null;
  let steps: ReadonlyArray<NewStep>;
  if (options.target !== undefined) {
    const t = await targetSteps(ws, options.target, lane, options.ignoreDependencies === true);
    target = t.target;
    title ??= t.title;
    steps = t.steps;
  } else {
    steps = adHocSteps(options.steps ?? [], options.actor, lane);
    if (steps.length === 0) throw new UsageError('a run needs at least one step');
    title ??= steps.length === 1 ? steps[0]!.spec.title : `${steps.length} steps`;
  }
  if (options.trustUnsafely === true) steps = steps.map((s) => ({ ...s, unsafe: true }));
  let session = options.session;
  if (typeof session === 'string') session = (await findSession(ws, session)).id;
  const created = await ws.store.runs.createRun({
    title,
    ...(options.intent === undefined ? {} : { intent: options.intent }),
    lane,
    target,
    ...(session === undefined ? {} : { session }),
    requestedBy: options.actor,
    steps,
  });
  notifyWork(ws.store.runs);
  return created;
}

/** Runs, newest first. */
export function listRuns(ws: Workspace, query: RunQuery = {}): Promise<RunRecord[]> {
  return ws.store.runs.listRuns(query);
}

/** A run (ID or unique prefix) with its steps. */
export async function getRun(ws: Workspace, id: string): Promise<RunWithSteps> {
  const run = await findRun(ws, id);
  return { ...run, steps: await ws.store.runs.listSteps(run.id) };
}

/** A step execution by ID. */
export function getStep(ws: Workspace, id: string): Promise<StepRecord> {
  return findStep(ws, id);
}

/** Output lines of a run after event `after`. */
export async function runLogs(
  ws: Workspace,
  runId: string,
  options: { after?: number; limit?: number } = {},
): Promise<LogLine[]> {
  const run = await findRun(ws, runId);
  return ws.store.runs.logs(run.id, options.after ?? 0, options.limit ?? 5000);
}

/** Sessions, newest first (archived ones only when asked). */
export function listSessions(
  ws: Workspace,
  options: { archived?: boolean } = {},
): Promise<SessionRecord[]> {
  return ws.store.runs.listSessions(options);
}

/** Archives (hides) or unarchives a session. */
export async function archiveSession(
  ws: Workspace,
  id: string,
  archived: boolean,
  actor: string,
): Promise<SessionRecord> {
  const session = await findSession(ws, id);
  return ws.store.runs.archiveSession(session.id, archived, actor);
}

/**
 * Retries a run (every failed, timed-out, cancelled or quarantined step) or one step (with the
 * steps its failure cancelled). Reopens a finished run.
 */
export async function retry(
  ws: Workspace,
  runOrStepId: string,
  actor: string,
): Promise<{ run: RunRecord; steps: StepRecord[] }> {
  const ref = runOrStepId.trim();
  const id =
    (await ws.store.runs.getRun(ref)) !== null || !ref.includes('.')
      ? (await findRun(ws, ref)).id
      : (await findStep(ws, ref)).id;
  const result = await ws.store.runs.retry(id, actor);
  notifyWork(ws.store.runs);
  return result;
}

/** Cancels a run: every step not yet ended is cancelled; running ones are killed by their worker. */
export async function cancelRun(ws: Workspace, runId: string, actor: string): Promise<RunRecord> {
  const run = await findRun(ws, runId);
  return ws.store.runs.cancelRun(run.id, actor);
}

/** Cancels one step (and the steps that wait for it). */
export async function cancelStep(
  ws: Workspace,
  stepId: string,
  actor: string,
): Promise<StepRecord> {
  const step = await findStep(ws, stepId);
  return ws.store.runs.cancelStep(step.id, actor);
}

/**
 * Approves a step waiting in `awaiting_approval` (this execution only; trust a plan to approve
 * its commands for good). An agent never approves the steps of a run it requested.
 */
export async function approveStep(
  ws: Workspace,
  stepId: string,
  actor: string,
  note?: string,
): Promise<StepRecord> {
  const step = await findStep(ws, stepId);
  const result = await ws.store.runs.approve(step.id, actor, note);
  notifyWork(ws.store.runs);
  return result;
}

/** Rejects a waiting step: it fails, and so does its run once nothing else is running. */
export async function rejectStep(
  ws: Workspace,
  stepId: string,
  actor: string,
  reason?: string,
): Promise<StepRecord> {
  const step = await findStep(ws, stepId);
  return ws.store.runs.reject(step.id, actor, reason);
}

/**
 * Resolves a quarantined step: `retry` it (fresh automatic retries), `skip` it (with a reason,
 * recorded; its run then ends `skipped`, never `succeeded`), or `abort` it.
 */
export async function resolveStep(
  ws: Workspace,
  stepId: string,
  action: ResolveAction,
  actor: string,
  reason?: string,
): Promise<StepRecord> {
  if (action !== 'retry' && action !== 'skip' && action !== 'abort') {
    throw new UsageError(`invalid action ${JSON.stringify(action)}`, {
      hint: 'use retry, skip or abort',
    });
  }
  const step = await findStep(ws, stepId);
  const result = await ws.store.runs.resolve(step.id, action, actor, reason);
  notifyWork(ws.store.runs);
  return result;
}

/** Whether a run can make no progress without a person (only approvals/quarantine left). */
export function isStalled(run: RunRecord): boolean {
  if (run.finishedAt !== null) return false;
  const c = run.counts;
  return c.leased + c.running + run.ready === 0 && c.awaiting_approval + c.quarantined > 0;
}

/**
 * Waits until the run ends (`until: 'finished'`) or until it ends or cannot go on without a
 * person (`'settled'`, the default), polling the store.
 */
export async function waitForRun(
  ws: Workspace,
  runId: string,
  options: { until?: 'finished' | 'settled'; pollMs?: number; signal?: AbortSignal } = {},
): Promise<RunWithSteps> {
  const id = (await findRun(ws, runId)).id;
  for (;;) {
    const run = (await ws.store.runs.getRun(id))!;
    const settled =
      run.finishedAt !== null ||
      (options.until !== 'finished' && isStalled(run)) ||
      options.signal?.aborted === true;
    if (settled) return { ...run, steps: await ws.store.runs.listSteps(id) };
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
  }
}

/** Where the artifact with this SHA-256 is stored (whether or not it exists). */
export function artifactPath(ws: Workspace, sha256: string): string {
  if (!/^[0-9a-f]{64}$/u.test(sha256)) {
    throw new UsageError(`invalid artifact digest ${JSON.stringify(sha256)}`, {
      hint: 'an artifact is named by 64 lowercase hex digits (its SHA-256)',
    });
  }
  return artifactFile(artifactsDir(ws), sha256);
}

/** The workspace's artifact store (`.pulser/artifacts`). */
export function artifactsDir(ws: Workspace): string {
  return join(ws.dir, 'artifacts');
}
