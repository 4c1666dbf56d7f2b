import type { StoredEvent } from './events.js';

/** A task held by an agent until `expiresAt`, unless it renews the lease first. */
export interface TaskClaim {
  readonly planId: string;
  readonly taskId: string;
  /** Who holds it: `agent:<name>`. */
  readonly agent: string;
  /** ISO-8601 UTC timestamps. */
  readonly claimedAt: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
  /** The last progress note, or null. */
  readonly note: string | null;
}

/** What to claim. */
export interface ClaimInput {
  readonly planId: string;
  readonly taskId: string;
  /** `agent:<name>`. */
  readonly agent: string;
  /** Lease length in milliseconds. */
  readonly leaseMs: number;
}

/** Outcome of a claim: won (or renewed, when the agent already held it), or held by another. */
export type ClaimOutcome =
  | {
      readonly ok: true;
      readonly claim: TaskClaim;
      /** True when the agent already held the claim (its lease was renewed). */
      readonly renewed: boolean;
      readonly events: ReadonlyArray<StoredEvent>;
    }
  | { readonly ok: false; readonly holder: TaskClaim };

/** Why a claim ended. */
export type ReleaseReason = 'released' | 'done' | 'expired';

/**
 * Persistence of task claims. Every operation is one transaction that also appends its events
 * (`task.claimed`, `task.progress`, `task.released`), so that exactly one of several racing
 * agents wins a claim, across processes.
 */
export interface ClaimStore {
  /**
   * Claims a task for `agent`. Wins when nobody holds a live claim (an expired claim is released
   * first, as `task.released` with reason `expired`); renews when `agent` already holds it.
   */
  claim(input: ClaimInput): Promise<ClaimOutcome>;
  /**
   * Renews `agent`'s claim and records a progress note (`task.progress`); null when `agent`
   * holds no live claim on the task.
   */
  progress(input: ClaimInput & { readonly note: string }): Promise<TaskClaim | null>;
  /** Ends `agent`'s claim (`task.released`); null when it holds no live claim on the task. */
  release(
    input: Omit<ClaimInput, 'leaseMs'> & { readonly reason: ReleaseReason; readonly note?: string },
  ): Promise<TaskClaim | null>;
  /** The live claim on a task, or null (never writes: an expired claim reads as none). */
  get(planId: string, taskId: string): Promise<TaskClaim | null>;
  /** Every live claim, oldest first (never writes). */
  list(): Promise<TaskClaim[]>;
  /** Deletes every claim whose lease has passed, appending `task.released` (reason `expired`). */
  expire(): Promise<TaskClaim[]>;
}
