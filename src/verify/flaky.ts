import type { VerdictStatus } from './verdict.js';

/** One past verdict of a verifier, with the digest of the input it judged. */
export interface VerdictRecord {
  readonly status: VerdictStatus;
  /** Digest of what was judged (plan hash + verifier definition + artifacts). */
  readonly inputDigest: string;
}

/**
 * True when a verifier flipped between pass and fail on the same input: a flaky verifier whose
 * verdicts cannot be trusted until a person looks at it.
 */
export function isFlaky(history: ReadonlyArray<VerdictRecord>, inputDigest: string): boolean {
  let pass = false;
  let fail = false;
  for (const record of history) {
    if (record.inputDigest !== inputDigest) continue;
    if (record.status === 'pass') pass = true;
    if (record.status === 'fail') fail = true;
  }
  return pass && fail;
}
