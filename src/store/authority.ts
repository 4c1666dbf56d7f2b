/**
 * The one decision of what allows a step's process to start. Every backend calls it when a step
 * is created, each time a step is put back in the queue (a retry, a resolve, a fallback) and
 * again when a worker claims it, so no path can carry an old authority past a change of trust.
 *
 * The rule: a step runs only if its exact (plan, node, tool, interpreter, command) digest is
 * covered by a current trust grant, or a person approved this execution, or a person typed the
 * command (`trustedBy`), or a person at the command line ran it with `--trust-unsafely`.
 * An approval covers one execution: its automatic retries and a lease taken over by another
 * worker, never a later manual retry. A rejection is final for its execution: retrying a
 * rejected step asks a person again, even when its command was trusted since.
 */
import { commandDigest } from '../ir/digest.js';
import type { ApprovalReason, StepAuthority, StepSpec } from './run-store.js';

/** The digest trust binds a step to, computed from the spec the worker will execute. */
export function specDigest(spec: Pick<StepSpec, 'tool' | 'language' | 'input'>): string {
  return commandDigest(spec.tool, spec.language, spec.input);
}

/** What the decision looks at. */
export interface AuthorityInput {
  readonly spec: StepSpec;
  /** `specDigest(spec)`. */
  readonly digest: string;
  /** Whether an active trust grant covers (plan, node, digest). */
  readonly trusted: (planId: string, nodeId: string, digest: string) => boolean;
  /** A person approved this execution (and no manual retry started a new one since). */
  readonly approved: boolean;
  /** The run was started with `--trust-unsafely` by a person at the command line. */
  readonly unsafe: boolean;
  /** A person rejected this step and nobody approved it since. */
  readonly rejected: boolean;
}

/** What allows the step to run, or why it must wait for a person. */
export interface AuthorityDecision {
  readonly authority: StepAuthority;
  /** Null: it may run now; else it waits in `awaiting_approval` for this reason. */
  readonly wait: ApprovalReason | null;
}

/**
 * Decides what allows a step to run now.
 * @example decideAuthority({ spec, digest: specDigest(spec), trusted, approved: false, unsafe: false, rejected: false });
 */
export function decideAuthority(input: AuthorityInput): AuthorityDecision {
  const { spec } = input;
  if (input.approved) return { authority: 'approved', wait: null };
  if (input.rejected) return { authority: 'none', wait: 'rejected' };
  let authority: StepAuthority = 'none';
  if (spec.tool === 'noop') authority = 'builtin';
  else if (input.unsafe) authority = 'unsafe';
  else if (
    spec.provenance !== undefined &&
    input.trusted(spec.provenance.planId, spec.provenance.nodeId, input.digest)
  ) {
    authority = 'trusted';
  } else if (spec.trustedBy !== undefined && !spec.trustedBy.startsWith('agent:')) {
    authority = 'person';
  }
  if (authority === 'none') return { authority, wait: 'untrusted' };
  if (spec.approval === 'required') return { authority, wait: 'approval_required' };
  return { authority, wait: null };
}

/**
 * What lets a queued step whose recorded authority is `recorded` start now (the claim's check),
 * or null when nothing does. An approval or `--trust-unsafely` holds for the execution it was
 * given to; anything else is decided again, so a grant revoked since the step was queued no
 * longer lets it start.
 */
export function authorityAtStart(
  recorded: StepAuthority,
  input: Omit<AuthorityInput, 'approved' | 'unsafe' | 'rejected'>,
): StepAuthority | null {
  if (recorded === 'approved' || recorded === 'unsafe') return recorded;
  if (recorded === 'none') return null;
  const d = decideAuthority({ ...input, approved: false, unsafe: false, rejected: false });
  return d.wait === null ? d.authority : null;
}
