/**
 * What an agent does with the runtime: run the steps of a task it holds, and read a run's
 * state and logs. An agent runs under its own identity (`agent:<name>`): it never runs a
 * command unsafely and never approves or trusts anything, so the steps of a plan nobody trusted
 * wait in `awaiting_approval`, and the answer says what a person must do.
 */
import { StateError } from '../../errors/index.js';
import type { LogLine, RunRecord, StepRecord } from '../../store/run-store.js';
import { resolveTask } from '../runs/claims.js';
import type { Workspace } from '../open.js';
import { findRun } from '../runs/run-ids.js';
import { getRun, isStalled, listRuns, runLogs, startRun, waitForRun } from '../runs/runs.js';
import { shellCommand } from '../../util/shell-quote.js';

/** A step of a run, as an agent reads it. */
export interface AgentStep {
  readonly id: string;
  readonly title: string;
  readonly tool: string;
  readonly state: string;
  readonly attempts: number;
  readonly exitCode: number | null;
  readonly error: string | null;
}

/** A run as an agent reads it, with what (if anything) waits for a person. */
export interface AgentRun {
  readonly id: string;
  readonly title: string;
  readonly status: RunRecord['status'];
  readonly requestedBy: string;
  readonly target: string | null;
  readonly steps: ReadonlyArray<AgentStep>;
  /** One line per step that waits for a person, saying what they must do. */
  readonly waitingForPerson: ReadonlyArray<string>;
  /** What to do next, in one sentence. */
  readonly next: string;
  /** The last output lines (at most 4000 characters) when the run ended or waits. */
  readonly outputTail?: string;
}

/** Options of {@link agentRunTask}. */
export interface AgentRunOptions {
  /** Wait this long for the run to end or to need a person before answering. @default 0 */
  readonly waitMs?: number;
  /** How often to look while waiting. @default 100 */
  readonly pollMs?: number;
  /** Called with the new run's ID before waiting (to have it executed). */
  readonly onStarted?: (runId: string) => void;
}

const TAIL_CHARS = 4000;

function planPaths(ws: Workspace): Promise<Map<string, string>> {
  return ws.store.plans.list().then((all) => new Map(all.map((p) => [p.id, p.path])));
}

function waitingLine(step: StepRecord, paths: ReadonlyMap<string, string>): string | null {
  if (step.state === 'awaiting_approval') {
    const path = step.planId === null ? undefined : paths.get(step.planId);
    const trust =
      step.approvalReason === 'untrusted' && path !== undefined
        ? `trust the plan (\`${shellCommand('pulser', 'trust', path)}\`) or `
        : '';
    return `${step.id} (${step.title}) waits for a person to ${trust}approve it (\`${shellCommand('pulser', 'approve', step.id)}\`); agents cannot approve or trust, ask with pulser_request_approval`;
  }
  if (step.state === 'quarantined') {
    return `${step.id} (${step.title}) failed for good (${step.error ?? 'no error recorded'}); a person resolves it (\`${shellCommand('pulser', 'resolve', step.id)} retry|abort\`, or \`skip --reason TEXT\`)`;
  }
  return null;
}

function nextOf(run: RunRecord, waiting: number): string {
  if (run.status === 'succeeded')
    return 'the run succeeded: report the result with pulser_progress';
  if (run.finishedAt !== null) {
    return `the run ${run.status}: read pulser_logs, fix the cause, report with pulser_progress`;
  }
  if (waiting > 0 && isStalled(run)) {
    return 'the run waits for a person (see waitingForPerson); ask with pulser_request_approval, then check back with pulser_run_status';
  }
  return 'the run is in progress: check back with pulser_run_status';
}

async function tail(ws: Workspace, runId: string): Promise<string> {
  const lines: LogLine[] = await runLogs(ws, runId, { limit: 100_000 });
  let text = '';
  for (let i = lines.length - 1; i >= 0 && text.length < TAIL_CHARS; i--) {
    text = lines[i]!.text + text;
  }
  return text.length > TAIL_CHARS ? text.slice(-TAIL_CHARS) : text;
}

/** A run with its steps, as an agent reads it (reads only). */
export async function agentRunView(ws: Workspace, runId: string): Promise<AgentRun> {
  const run = await getRun(ws, runId);
  const paths = await planPaths(ws);
  const waiting = run.steps
    .map((s) => waitingLine(s, paths))
    .filter((l): l is string => l !== null);
  const settled = run.finishedAt !== null || isStalled(run);
  const outputTail = settled ? await tail(ws, run.id) : '';
  return {
    id: run.id,
    title: run.title,
    status: run.status,
    requestedBy: run.requestedBy,
    target: run.target === null ? null : `${run.target.planId}:${run.target.nodeId}`,
    steps: run.steps.map((s) => ({
      id: s.id,
      title: s.title,
      tool: s.tool,
      state: s.state,
      attempts: s.attempts,
      exitCode: s.exitCode,
      error: s.error,
    })),
    waitingForPerson: waiting,
    next: nextOf(run, waiting.length),
    ...(outputTail === '' ? {} : { outputTail }),
  };
}

/**
 * Runs the steps of task `ref` for `agent`, who must hold the task's claim. The run is
 * requested by the agent; steps of a plan no person trusted wait for a person. Waits up to
 * `waitMs` for the run to end or to need a person, then answers with its state.
 *
 * @example
 * const run = await agentRunTask(ws, 'phase-1/task-1-1', 'agent:claude', { waitMs: 30_000 });
 */
export async function agentRunTask(
  ws: Workspace,
  ref: string,
  agent: string,
  options: AgentRunOptions = {},
): Promise<AgentRun> {
  const { stored, task } = await resolveTask(ws, ref);
  const claim = await ws.store.claims.get(stored.id, task.id);
  if (claim === null || claim.agent !== agent) {
    throw new StateError(
      claim === null
        ? `${agent} holds no claim on task ${task.id}`
        : `task ${task.id} is claimed by ${claim.agent}, not by ${agent}`,
      { hint: 'claim the task (pulser_claim) before running its steps' },
    );
  }
  const { run } = await startRun(ws, {
    target: `${stored.id}:${task.id}`,
    actor: agent,
    intent: `steps of ${task.id}, run by ${agent}`,
  });
  options.onStarted?.(run.id);
  const waitMs = options.waitMs ?? 0;
  if (waitMs > 0) {
    await waitForRun(ws, run.id, {
      signal: AbortSignal.timeout(waitMs),
      pollMs: options.pollMs ?? 100,
    });
  }
  return agentRunView(ws, run.id);
}

/** Runs requested by `agent`, newest first (reads only). */
export async function agentRuns(
  ws: Workspace,
  agent: string,
  limit = 10,
): Promise<ReadonlyArray<Pick<RunRecord, 'id' | 'title' | 'status' | 'createdAt'>>> {
  const runs = await listRuns(ws, { limit: 500 });
  return runs
    .filter((r) => r.requestedBy === agent)
    .slice(0, limit)
    .map(({ id, title, status, createdAt }) => ({ id, title, status, createdAt }));
}

/** Output lines of a run (optionally of one of its steps) after `after` (reads only). */
export async function agentLogs(
  ws: Workspace,
  runId: string,
  options: { stepId?: string; after?: number; limit?: number } = {},
): Promise<{ runId: string; lines: LogLine[]; next: number; more: boolean }> {
  const run = await findRun(ws, runId);
  const limit = options.limit ?? 200;
  const all = await runLogs(ws, run.id, { after: options.after ?? 0, limit: limit + 1 });
  const more = all.length > limit;
  const page = all.slice(0, limit);
  const lines =
    options.stepId === undefined ? page : page.filter((l) => l.stepId === options.stepId);
  return { runId: run.id, lines, next: page.at(-1)?.seq ?? options.after ?? 0, more };
}
