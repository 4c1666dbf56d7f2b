/**
 * The run state machine's decisions, backend-neutral and pure: what a transition does to a run's
 * counters and dependents, what status a run has, what a failed execution becomes (retry after
 * backoff, fallback, failure, quarantine), what an expired lease becomes, whether a lane has
 * room and how a shared token bucket refills. A backend (`store/sqlite`, later
 * `store/postgres`) reads rows, asks these functions, and persists the answer with its events;
 * who may run what is `store/authority.ts`. See docs/runtime.md and docs/store.md.
 */
import {
  TERMINAL_STEP_STATES,
  type RateLimit,
  type RunStatus,
  type StepState,
} from '../run-store.js';

/** States that let dependents go on. */
export const OK_STATES: ReadonlySet<StepState> = new Set(['succeeded', 'skipped']);
/** States in which a step waits for a person. */
export const WAITING_STATES: ReadonlySet<StepState> = new Set(['awaiting_approval', 'quarantined']);
/** States that end a step badly (its dependents are cancelled). */
export const FAILED_STATES: ReadonlySet<StepState> = new Set(['failed', 'timed_out', 'cancelled']);

/** Whether a state is terminal. */
export function isTerminal(state: StepState): boolean {
  return TERMINAL_STEP_STATES.has(state);
}

/** What moving a step from `from` to `to` does besides changing its state. */
export interface TransitionEffects {
  /** Change of the run's open (not terminal) steps. */
  readonly open: number;
  /** Change of the run's steps waiting for a person. */
  readonly waiting: number;
  /** The step's dependents lose one blocker (it ended well). */
  readonly unblock: boolean;
  /** The step's unfinished dependents are cancelled (it ended badly). */
  readonly cancelDependents: boolean;
}

/** The effects of a transition (`cascade` false: dependents are left alone, e.g. for a fallback). */
export function transitionEffects(
  from: StepState,
  to: StepState,
  cascade = true,
): TransitionEffects {
  return {
    open: (isTerminal(to) ? 0 : 1) - (isTerminal(from) ? 0 : 1),
    waiting: (WAITING_STATES.has(to) ? 1 : 0) - (WAITING_STATES.has(from) ? 1 : 0),
    unblock: OK_STATES.has(to) && !OK_STATES.has(from),
    cancelDependents: cascade && FAILED_STATES.has(to) && !FAILED_STATES.has(from),
  };
}

/** How the steps of an ended run ended. */
export interface RunTally {
  /** Failed or timed out, and not recovered by a fallback. */
  readonly failed: number;
  readonly cancelled: number;
  readonly skipped: number;
  readonly total: number;
}

/**
 * The status of a run whose steps have all ended: `stored` is what the run row keeps, `shown`
 * what its event and readers say (`skipped` is stored `succeeded`: part of the work was not
 * done, never shown as `succeeded`). A run being cancelled ends `cancelled`.
 */
export function endedRunStatus(
  tally: RunTally,
  cancelling: boolean,
): { readonly stored: RunStatus; readonly shown: RunStatus } {
  const stored: RunStatus = cancelling
    ? 'cancelled'
    : tally.failed > 0
      ? 'failed'
      : tally.cancelled > 0
        ? 'cancelled'
        : 'succeeded';
  return { stored, shown: stored === 'succeeded' && tally.skipped > 0 ? 'skipped' : stored };
}

/** The status of a run with open steps. */
export function liveRunStatus(waitingSteps: number, started: boolean): RunStatus {
  return waitingSteps > 0 ? 'waiting' : started ? 'running' : 'queued';
}

/** What a failed (or timed-out) execution becomes. */
export type FailureDecision =
  /** Queued again for an automatic retry, not before `at`. */
  | { readonly kind: 'retry'; readonly at: number }
  /** Ends `failed`/`timed_out` without cancelling its dependents; its fallback runs instead. */
  | { readonly kind: 'fallback' }
  /** Ends `failed`/`timed_out` (its failure is a result). */
  | { readonly kind: 'end' }
  /** Waits for a person (retry, skip or abort). */
  | { readonly kind: 'quarantine' };

/** What the decision about a failed execution depends on. */
export interface FailureInput {
  readonly retryable: boolean;
  /** The worker's backoff delay for the next retry, or null when none is due. */
  readonly retryDelayMs: number | null;
  /** Automatic retries used, and allowed. */
  readonly retries: number;
  readonly maxRetries: number;
  /** The step has a fallback and is not itself a fallback. */
  readonly fallback: boolean;
  /** `spec.quarantine` (default true). */
  readonly quarantine: boolean;
  readonly now: number;
}

/** Decides what a failed execution becomes: retry, fallback, failure or quarantine, in that order. */
export function decideFailure(input: FailureInput): FailureDecision {
  if (input.retryDelayMs !== null && input.retryable && input.retries < input.maxRetries) {
    return { kind: 'retry', at: input.now + input.retryDelayMs };
  }
  if (input.fallback) return { kind: 'fallback' };
  return input.quarantine ? { kind: 'quarantine' } : { kind: 'end' };
}

/** What a step whose lease expired becomes, after `losses` lost leases (this one included). */
export function decideLeaseExpiry(
  losses: number,
  maxLeaseLosses: number,
): 'quarantine' | 'requeue' {
  return losses > maxLeaseLosses ? 'quarantine' : 'requeue';
}

/** Whether `lane` has room for one more step, given the steps active per lane and the limits (`*`: any other lane). */
export function laneRoom(
  limits: Readonly<Record<string, number>>,
  active: ReadonlyMap<string, number>,
  lane: string,
): boolean {
  const limit = limits[lane] ?? limits['*'];
  return limit === undefined || (active.get(lane) ?? 0) < limit;
}

/** A token bucket's tokens at `now`, refilled from its stored state (null: never used, full). */
export function bucketTokens(
  stored: { readonly tokens: number; readonly updatedMs: number } | null,
  limit: RateLimit,
  now: number,
): number {
  if (stored === null) return limit.burst;
  const refill = (Math.max(0, now - stored.updatedMs) * limit.perSecond) / 1000;
  return Math.min(limit.burst, stored.tokens + refill);
}

/** How long until a bucket holding `tokens` (< 1) has a whole token. */
export function bucketWaitMs(tokens: number, limit: RateLimit): number {
  return Math.ceil(((1 - tokens) * 1000) / limit.perSecond);
}
