/**
 * Claims: an agent takes a task (exactly one agent wins, even when several race), holds it for
 * a lease it renews by reporting progress, and releases it; a claim whose agent went away is
 * released when its lease expires.
 */
import { StateError, UsageError } from '../../errors/index.js';
import type { Task } from '../../ir/schema.js';
import type { TaskClaim } from '../../store/claim-store.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { DEFAULT_CLAIM_LEASE_MS } from './claim-options.js';
import type { Workspace } from '../open.js';
import { taskState } from '../progress.js';
import { resolveNode } from '../resolve.js';

export type { TaskClaim } from '../../store/claim-store.js';

/** Options of claims and progress reports. */
export interface ClaimOptions {
  /** Lease length in milliseconds. @default 600000 (10 minutes) */
  readonly leaseMs?: number;
}

/** A task found by reference. */
export interface ResolvedTask {
  readonly stored: StoredPlan;
  readonly task: Task;
}

/** Finds the task `ref` names; a UsageError when it names another kind of node. */
export async function resolveTask(ws: Workspace, ref: string): Promise<ResolvedTask> {
  const { stored, node } = await resolveNode(ws, ref);
  if (node.kind !== 'task') {
    throw new UsageError(`${ref} is a ${node.kind}, not a task`, {
      hint: 'claims are on tasks: list ready ones with `pulser next`',
    });
  }
  return { stored, task: node };
}

function heldBy(claim: TaskClaim): string {
  return `${claim.agent} until ${claim.expiresAt}`;
}

/**
 * Claims task `ref` for `agent` (`agent:<name>`); renews the lease when `agent` already holds
 * it. Throws a StateError when another agent holds a live claim, or the task is done.
 *
 * @example
 * const claim = await claimTask(ws, 'lift-sys-62', 'agent:claude', { leaseMs: 600_000 });
 */
export async function claimTask(
  ws: Workspace,
  ref: string,
  agent: string,
  options: ClaimOptions = {},
): Promise<TaskClaim & { readonly renewed: boolean }> {
  const { stored, task } = await resolveTask(ws, ref);
  const state = taskState(task);
  if (state === 'done' || state === 'deferred') {
    throw new StateError(`task ${task.id} is ${state}; there is nothing to claim`, {
      file: stored.path,
      line: task.pos.line,
      hint: 'list tasks ready to start with `pulser next`',
    });
  }
  const outcome = await ws.store.claims.claim({
    planId: stored.id,
    taskId: task.id,
    agent,
    leaseMs: options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS,
  });
  if (!outcome.ok) {
    throw new StateError(`task ${task.id} is claimed by ${heldBy(outcome.holder)}`, {
      holder: outcome.holder.agent,
      hint: 'pick another ready task; a claim is released when its agent releases it or its lease expires',
    });
  }
  return { ...outcome.claim, renewed: outcome.renewed };
}

function notHeld(task: Task, agent: string, claim: TaskClaim | null): StateError {
  return new StateError(
    claim === null
      ? `${agent} holds no claim on task ${task.id} (its lease may have expired)`
      : `task ${task.id} is claimed by ${heldBy(claim)}, not by ${agent}`,
    { hint: 'claim the task first' },
  );
}

/**
 * Records a progress note on task `ref` (`task.progress`) and renews `agent`'s lease; throws a
 * StateError unless `agent` holds the claim.
 */
export async function reportProgress(
  ws: Workspace,
  ref: string,
  agent: string,
  note: string,
  options: ClaimOptions = {},
): Promise<TaskClaim> {
  const { stored, task } = await resolveTask(ws, ref);
  const claim = await ws.store.claims.progress({
    planId: stored.id,
    taskId: task.id,
    agent,
    note,
    leaseMs: options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS,
  });
  if (claim === null) throw notHeld(task, agent, await ws.store.claims.get(stored.id, task.id));
  return claim;
}

/** Releases `agent`'s claim on task `ref`; throws a StateError unless it holds one. */
export async function releaseTask(
  ws: Workspace,
  ref: string,
  agent: string,
  note?: string,
): Promise<TaskClaim> {
  const { stored, task } = await resolveTask(ws, ref);
  const claim = await ws.store.claims.release({
    planId: stored.id,
    taskId: task.id,
    agent,
    reason: 'released',
    ...(note === undefined ? {} : { note }),
  });
  if (claim === null) throw notHeld(task, agent, await ws.store.claims.get(stored.id, task.id));
  return claim;
}

/** Every live claim of the workspace (reads only). */
export function listClaims(ws: Workspace): Promise<TaskClaim[]> {
  return ws.store.claims.list();
}

/** Releases every claim whose lease has expired (`task.released`, reason `expired`). */
export function expireClaims(ws: Workspace): Promise<TaskClaim[]> {
  return ws.store.claims.expire();
}

/** Throws a StateError when an agent other than `agent` holds a live claim on the task. */
export async function assertNotClaimedByOther(
  ws: Workspace,
  planId: string,
  taskId: string,
  agent: string,
): Promise<void> {
  const claim = await ws.store.claims.get(planId, taskId);
  if (claim !== null && claim.agent !== agent) {
    throw new StateError(`task ${taskId} is claimed by ${heldBy(claim)}`, {
      holder: claim.agent,
      hint: 'only the agent holding the claim may change the task; pick another ready task',
    });
  }
}

/**
 * Releases expired claims every `intervalMs` until the returned function is called; failures
 * (a busy database) are reported to `onError` and retried on the next tick.
 */
export function startClaimSweeper(
  ws: Workspace,
  intervalMs: number,
  onError: (error: unknown) => void = () => {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    expireClaims(ws)
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
