import type { VerdictStatus } from '../ir/events.js';

/**
 * Outcome of one verifier or gate. `pending` means nothing has decided it yet; `not_run` means
 * its verifier could not run here (a command verifier without the runtime, for instance).
 * Defined once, in the event catalog (verdicts are recorded as `verdict.recorded` events).
 */
export type { VerdictStatus };

/** What a verifier decided about a criterion or metric, and why. */
export interface Verdict {
  /** The criterion or metric ID. */
  readonly target: string;
  readonly status: VerdictStatus;
  /** One sentence a person can read: what was checked and what was seen. */
  readonly reason: string;
  /** Machine-readable evidence (exit code, output digest, measured value, approver...). */
  readonly evidence: Readonly<Record<string, unknown>>;
}
